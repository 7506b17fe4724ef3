import { checkOptionsObject, checkReason, checkSessionId, checkUserId } from './input.js';
import { type ManagerContext, ownedBy } from './manager-context.js';
import { toPublicSession } from './session-record.js';
import type { PageCursor } from './session-store.js';
import { hashToken, isTokenShaped, sessionIdOfToken } from './token.js';

// Sessions one revokeAll batch examines: each ends in its own atomic write
// inside the batch, so a batch costs about 25× one revoke (about a millisecond in
// Redis, measured in bench/redis-attack.bench.mjs).
const REVOKE_BATCH = 25;

/** SessionManager.revoke: ends one session; with `userId`, only when that user owns it. */
export async function revokeSession(
  ctx: ManagerContext,
  sessionId: string,
  options: { userId?: string; reason?: string } | undefined,
): Promise<boolean> {
  const opts = checkOptionsObject('revoke', options);
  const id = checkSessionId('revoke', sessionId);
  const owner = opts.userId === undefined ? null : checkUserId('revoke', opts.userId);
  const reason = checkReason('revoke', opts.reason, 'revoked_by_user');
  const transition = ctx.transition('REVOKED', reason, ctx.o.now());
  const ended = await ctx.call('revoke', () =>
    ctx.o.store.end(id, transition, { userId: owner, tokenHash: null }),
  );
  if (!ended) return false;
  ctx.events.emit('revoked', { session: toPublicSession(ended), reason });
  return true;
}

/** SessionManager.revokeAll: every live session that exists when the call begins, in batches. */
export async function revokeAllSessions(
  ctx: ManagerContext,
  userId: string,
  options: { except?: string; reason?: string } | undefined,
): Promise<number> {
  const opts = checkOptionsObject('revokeAll', options);
  const id = checkUserId('revokeAll', userId);
  const except =
    opts.except === undefined ? null : checkSessionId('revokeAll', opts.except, 'except');
  const reason = checkReason('revokeAll', opts.reason, 'revoked_by_user');
  const nowMs = ctx.o.now();
  const transition = ctx.transition('REVOKED', reason, nowMs);
  const liveness = ctx.liveness(nowMs);
  const createdAtOrBefore = new Date(nowMs);
  let count = 0;
  let after: PageCursor | null = null;
  // Bounded batches, so no single store command holds the database for long
  // however many sessions the user has; each batch's sessions are announced
  // before the next is fetched, so memory stays bounded too.
  do {
    const batch = await ctx.call('revokeAll', () =>
      ctx.o.store.endAllForUser(id, transition, {
        exceptSessionId: except,
        liveness,
        createdAtOrBefore,
        limit: REVOKE_BATCH,
        after,
      }),
    );
    for (const record of ownedBy(id, batch.ended)) {
      count++;
      ctx.events.emit('revoked', { session: toPublicSession(record), reason });
    }
    after = batch.next;
  } while (after !== null);
  return count;
}

/** SessionManager.logout: ends the token's own session as LOGGED_OUT. */
export async function logoutSession(ctx: ManagerContext, token: string): Promise<boolean> {
  if (!isTokenShaped(token)) return false;
  const transition = ctx.transition('LOGGED_OUT', 'logged_out', ctx.o.now());
  const ended = await ctx.call('logout', () =>
    ctx.o.store.end(sessionIdOfToken(token), transition, {
      userId: null,
      tokenHash: hashToken(token),
    }),
  );
  if (!ended) return false;
  ctx.events.emit('loggedOut', { session: toPublicSession(ended) });
  return true;
}

/** SessionManager.cleanup: marks expired sessions and purges old ones in stores without TTL. */
export async function cleanupSessions(ctx: ManagerContext): Promise<number> {
  const nowMs = ctx.o.now();
  const result = await ctx.call('cleanup', () =>
    ctx.o.store.cleanup({
      liveness: ctx.liveness(nowMs),
      historyRetentionMs: ctx.o.historyRetention,
    }),
  );
  for (const record of result.expired) {
    ctx.events.emit('expired', { session: toPublicSession(record) });
  }
  return result.expired.length + result.purged;
}
