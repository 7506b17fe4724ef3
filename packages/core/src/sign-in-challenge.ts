import type { SignInDeviceKeys } from './device-identity.js';
import type { ManagerContext } from './manager-context.js';
import type { SessionRisk } from './session.js';
import type { SessionRecord } from './session-store.js';

/** What create() records about a challenge (`suspiciousLogin.policy: 'challenge'`). */
export interface ChallengeDecision {
  /** The sign-in is risky and its device not trusted: sensitive actions wait for markVerified(). */
  verificationRequired: boolean;
  /** The device presented is trusted; the new session carries the trust to its rotated device id. */
  trustedDevice: boolean;
}

const NONE: ChallengeDecision = { verificationRequired: false, trustedDevice: false };

/**
 * The challenge step of create(). A device is trusted when the device id it
 * presented (its cookie; never the look-alike traits, which other devices share)
 * belongs to one of the user's recent sessions that passed a verification or
 * was itself created on a trusted device, and the user has not forgotten the
 * device since (its known-device entry still exists). Device ids rotate on every
 * sign-in, so trust is carried from session to session by `trustedDevice`.
 *
 * Costs no store call unless such a session is found; then one listDevices().
 */
export async function decideChallenge(
  ctx: ManagerContext,
  userId: string,
  risk: SessionRisk | null,
  device: SignInDeviceKeys,
  prior: readonly SessionRecord[],
): Promise<ChallengeDecision> {
  if (ctx.o.suspiciousLogin?.policy !== 'challenge') return NONE;
  // previous = [fingerprint of the presented id, its legacy form, traits]: ids only.
  const presented = new Set(device.previous.slice(0, 2));
  const vouched = prior.some(
    (r) =>
      presented.has(r.deviceKey) &&
      r.userId === userId &&
      (r.verification !== null || r.trustedDevice === true),
  );
  let trusted = false;
  if (vouched) {
    const devices = await ctx.call('create', () => ctx.o.store.listDevices(userId));
    trusted = devices.some((d) => d.userId === userId && presented.has(d.id));
  }
  return { verificationRequired: risk !== null && !trusted, trustedDevice: trusted };
}
