import type { Metadata } from 'next';
import { requireSession } from '@/lib/require-session';
import { safeRedirectPath } from '@/lib/safe-redirect';
import { sessionManager } from '@/lib/session-manager';
import { DEMO_TOTP_CODE, REVOKE_ALL_NEEDS_VERIFICATION_WITHIN } from '@/lib/step-up';
import { verifyAndContinue } from './actions';

export const metadata: Metadata = { title: 'Verify it’s you' };

const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium', timeZone: 'UTC' });

/**
 * A step-up check (a simulated authenticator code) for sensitive actions:
 * signing out all other devices needs one within the last few minutes.
 */
export default async function VerifyPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession('/settings/verify');
  const params = await searchParams;
  const next = safeRedirectPath(params.next, '/settings/sessions');
  const current = await sessionManager.get(session.sessionId);
  const minutes = REVOKE_ALL_NEEDS_VERIFICATION_WITHIN / 60_000;

  return (
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">Verify it’s you</h1>
      <p>
        Signing out all your other devices needs a two-factor check within the last {minutes}{' '}
        minutes.
        {session.verificationRequired &&
          ' This sign-in also looked unusual for your account: until you verify, it cannot sign other devices out.'}
      </p>
      <p className="muted" data-testid="verification-status">
        {current?.verification
          ? `This session was last verified (${current.verification.method}) at ${time.format(current.verification.verifiedAt)} UTC.`
          : 'This session has not been verified yet.'}
      </p>
      {params.error && (
        <p className="form-error" role="alert">
          That code is not right. Try again.
        </p>
      )}
      <form action={verifyAndContinue} className="form">
        <input type="hidden" name="next" value={next} />
        <label className="field">
          <span>Authenticator code</span>
          <input
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            required
          />
        </label>
        <p className="muted small">
          Demo: the code is <code>{DEMO_TOTP_CODE}</code>.
        </p>
        <button type="submit" className="button">
          Verify
        </button>
      </form>
    </section>
  );
}
