import { SignInVerificationRequiredError } from './errors.js';

/** Anything carrying the pending-challenge flag: a core `Session` or a NextAuth session. */
type MaybeChallenged = { verificationRequired?: boolean } | null | undefined;

/**
 * Whether a challenged sign-in (`suspiciousLogin.policy: 'challenge'`) still
 * waits for `manager.markVerified()`.
 */
export function isVerificationPending(session: MaybeChallenged): boolean {
  return session?.verificationRequired === true;
}

/**
 * Guards a sensitive action against a challenged sign-in that was not verified
 * yet: throws `SignInVerificationRequiredError` (code
 * `SIGN_IN_VERIFICATION_REQUIRED`) while `session.verificationRequired` is set.
 *
 * @example
 * requireVerifiedSignIn(await manager.validate(token)); // before changing the email address
 */
export function requireVerifiedSignIn(session: MaybeChallenged): void {
  if (isVerificationPending(session)) throw new SignInVerificationRequiredError();
}
