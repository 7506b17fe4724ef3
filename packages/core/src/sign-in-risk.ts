import { SuspiciousLoginError } from './errors.js';
import { type ManagerContext, ownedBy } from './manager-context.js';
import { assessLogin } from './risk.js';
import { ENDED_STATUSES, type SessionLocation, type SessionRisk } from './session.js';
import type { SessionRecord } from './session-store.js';

// Records of each kind (newest live, most recently ended) the suspicious-login check reads.
const RISK_WINDOW = 100;

/**
 * The create() step that compares a sign-in with the user's retained sessions
 * (see {@link assessLogin}): null when nothing is suspicious or the check is off;
 * throws SuspiciousLoginError (after emitting `suspiciousLogin`) under 'reject'.
 */
export async function assessSignInRisk(
  ctx: ManagerContext,
  userId: string,
  now: Date,
  location: SessionLocation | null,
): Promise<SessionRisk | null> {
  return (await assessSignIn(ctx, userId, now, location)).risk;
}

/** {@link assessSignInRisk}, also returning the user's records it compared with. */
export async function assessSignIn(
  ctx: ManagerContext,
  userId: string,
  now: Date,
  location: SessionLocation | null,
): Promise<{ risk: SessionRisk | null; prior: SessionRecord[] }> {
  const options = ctx.o.suspiciousLogin;
  if (options === null) return { risk: null, prior: [] };
  // A bounded recent window: the newest live sessions and the most recently ended ones.
  const [active, ended] = await ctx.call('create', () =>
    Promise.all([
      ctx.o.store.listActive(userId, { limit: RISK_WINDOW, after: null }),
      ctx.o.store.listEnded(userId, {
        statuses: ENDED_STATUSES,
        limit: RISK_WINDOW,
        after: null,
      }),
    ]),
  );
  const prior = ownedBy(userId, [...active.records, ...ended.records]);
  const reasons = assessLogin({ at: now, location }, prior, options);
  if (reasons.length === 0) return { risk: null, prior };
  if (options.policy === 'reject') {
    ctx.events.emit('suspiciousLogin', { userId, reasons, policy: 'reject', session: null });
    throw new SuspiciousLoginError(reasons);
  }
  return { risk: { reasons }, prior };
}
