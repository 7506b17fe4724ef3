'use client';

import { KnownDevices, SessionManagement } from '@sessionkit/react';
import Link from 'next/link';
import { type FormEvent, useState } from 'react';
import { verifyStepUp } from '@/app/settings/verify/actions';
import { DEMO_TOTP_CODE } from '@/lib/step-up';

/**
 * <SessionManagement /> with the step-up flow: when the server answers
 * "verification required" (403 VERIFICATION_REQUIRED), ask for the two-factor
 * code right here, record it, and repeat the refused action.
 */
export function DevicesPanel() {
  const [retry, setRetry] = useState<(() => void) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = new FormData(event.currentTarget).get('code');
    setPending(true);
    const result = await verifyStepUp(code);
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setRetry(null);
    retry?.();
  }

  return (
    <>
      <SessionManagement onVerificationRequired={(again) => setRetry(() => again)} />
      {retry && (
        <form className="card inline-form" onSubmit={onSubmit} aria-label="Two-factor check">
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
          <button type="submit" className="button" disabled={pending}>
            Verify and sign out
          </button>
          <button type="button" className="button button-secondary" onClick={() => setRetry(null)}>
            Cancel
          </button>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <p className="muted small">
            Demo: the code is <code>{DEMO_TOTP_CODE}</code>. Or{' '}
            <Link href="/settings/verify">verify on its own page</Link>.
          </p>
        </form>
      )}
      {/* Devices remembered beyond their sessions (createDeviceRouteHandlers at
          /api/sessions/devices): forgetting one makes its next sign-in "new". */}
      <KnownDevices className="known-devices" />
    </>
  );
}
