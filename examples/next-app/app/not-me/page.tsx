import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { notMeSummary } from '@/lib/not-me-summary';
import { revocationLinks } from '@/lib/notifications';
import { sessionManager } from '@/lib/session-manager';
import { revokeReportedSession } from './actions';

export const metadata: Metadata = { title: 'This wasn’t me', robots: { index: false } };

const RESULTS: Record<string, string> = {
  revoked:
    'Done: that device is signed out. Change your password and check your other devices in Settings.',
  'already-ended': 'That sign-in had already ended: there is nothing left to sign out.',
  invalid: 'This link is not valid any more. Sign in and review your devices in Settings.',
};

/**
 * Opened from the "This wasn't me" link of a new-sign-in email. Opening it
 * changes nothing (see actions.ts for why): it only shows which sign-in the
 * link is about (browser and OS, country, day and part of day: no IP, city or
 * exact time, since the link holder may not be the owner) and a single button
 * that revokes it.
 */
export default async function NotMePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const result = typeof params.result === 'string' ? RESULTS[params.result] : undefined;
  const token = typeof params.token === 'string' ? params.token : '';
  const sessionId = result ? null : revocationLinks().verify(token);
  const session = sessionId ? await sessionManager.get(sessionId) : null;

  let body: ReactNode;
  if (result) {
    body = (
      <p role="status" data-testid="not-me-result">
        {result}
      </p>
    );
  } else if (!session) {
    body = <p data-testid="not-me-result">{RESULTS.invalid}</p>;
  } else if (session.status !== 'ACTIVE') {
    body = <p data-testid="not-me-result">{RESULTS['already-ended']}</p>;
  } else {
    // Anyone holding the link sees this, unauthenticated: only what lets the
    // owner recognise the sign-in (see lib/not-me-summary.ts).
    const summary = notMeSummary(session);
    body = (
      <>
        <p>
          Sign out this device from your account? It will have to sign in again, with your password.
        </p>
        <dl className="details" data-testid="not-me-session">
          <dt>Device</dt>
          <dd>{summary.device}</dd>
          <dt>Country</dt>
          <dd>{summary.country ?? 'Unknown'}</dd>
          <dt>Signed in</dt>
          <dd>{summary.when}</dd>
        </dl>
        <form action={revokeReportedSession}>
          <input type="hidden" name="token" value={token} />
          <button type="submit" className="button button-danger">
            Sign out that device
          </button>
        </form>
      </>
    );
  }

  return (
    <section className="card narrow" aria-labelledby="not-me-title">
      <h1 id="not-me-title">This wasn’t me</h1>
      {body}
      <p className="muted">
        <Link href="/settings/sessions">Review all your devices</Link>
      </p>
    </section>
  );
}
