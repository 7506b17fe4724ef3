import { VerificationRequiredError } from './errors.js';
import type { Session } from './session.js';

type VerifiedLike = Pick<Session, 'verification'> & {
  verification?: { verifiedAt: Date | string; method: string };
};

/** Whether the session passed a step-up verification within the last `maxAgeMs`. */
export function isRecentlyVerified(
  session: VerifiedLike | null | undefined,
  maxAgeMs: number,
  now: number = Date.now(),
): boolean {
  const at = session?.verification?.verifiedAt;
  if (at === undefined) return false;
  const time = at instanceof Date ? at.getTime() : Date.parse(at);
  return Number.isFinite(time) && time <= now && now - time <= maxAgeMs;
}

/**
 * Guards a sensitive action (OWASP ASVS 5.0 §7.5.2): throws
 * `VerificationRequiredError` unless the session was verified (e.g. a 2FA
 * challenge recorded with `manager.markVerified()`) within `maxAgeMs`.
 *
 * @example
 * requireRecentVerification(current, 10 * MINUTE); // before revoking all other sessions
 */
export function requireRecentVerification(
  session: VerifiedLike | null | undefined,
  maxAgeMs: number,
  now: number = Date.now(),
): void {
  if (!isRecentlyVerified(session, maxAgeMs, now)) throw new VerificationRequiredError(maxAgeMs);
}
