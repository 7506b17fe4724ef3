import type { Metadata } from 'next';
import { DevicesPanel } from '@/components/DevicesPanel';
import { requireSession } from '@/lib/require-session';

export const metadata: Metadata = { title: 'Devices' };

export default async function SessionsPage() {
  const session = await requireSession('/settings/sessions');
  return (
    <>
      {/* A sign-in challenged by suspiciousLogin.policy 'challenge' (a new
          country, impossible travel): it works, but the session routes refuse
          to sign other devices out until the user passes the check. */}
      {session.verificationRequired && (
        <section className="card narrow" aria-labelledby="challenge-title">
          <h2 id="challenge-title">Verify it’s you</h2>
          <p role="status">
            This sign-in looked unusual for your account. Confirm it is you before you manage your
            other devices.
          </p>
          <a className="button" href="/settings/verify?next=/settings/sessions">
            Verify it’s you
          </a>
        </section>
      )}
      <DevicesPanel />
    </>
  );
}
