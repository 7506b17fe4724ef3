import { isVerificationPending, requireVerifiedSignIn, type Session } from '@sessionkit/core';
import { type ApiResponse, error } from './route-helpers.js';

/**
 * Guards a sensitive action (change the email address, delete the account,
 * sign out other devices) in a route handler or server action: throws core's
 * `SignInVerificationRequiredError` (code `SIGN_IN_VERIFICATION_REQUIRED`) while
 * the NextAuth session says `verificationRequired` — a sign-in challenged by
 * `suspiciousLogin.policy: 'challenge'` that has not passed
 * `manager.markVerified()` yet. Takes the session from `auth()`,
 * `getServerSession()` or `useSession().data`.
 *
 * @example
 * const session = await auth();
 * requireVerifiedSession(session); // throws until the "verify it's you" step is done
 */
export function requireVerifiedSession(
  session: { verificationRequired?: boolean } | null | undefined,
): void {
  requireVerifiedSignIn(session);
}

/** The 403 the session routes send while the caller's sign-in challenge is pending, else null. */
export function challengePending(current: Session): ApiResponse | null {
  if (!isVerificationPending(current)) return null;
  return error(
    403,
    'SIGN_IN_VERIFICATION_REQUIRED',
    'This sign-in looked unusual: confirm it is you (e.g. with a two-factor code) before managing other sessions.',
  );
}
