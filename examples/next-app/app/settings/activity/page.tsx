import type { Session } from '@sessionkit/core';
import type { Metadata } from 'next';
import { requireSession } from '@/lib/require-session';
import { sessionManager } from '@/lib/session-manager';

export const metadata: Metadata = { title: 'Security log' };

const STATUS_LABEL: Record<Session['status'], string> = {
  ACTIVE: 'Active',
  EXPIRED: 'Expired',
  REVOKED: 'Revoked',
  LOGGED_OUT: 'Signed out',
};

function device(session: Session): string {
  const { browser, os, type } = session.deviceInfo;
  const parts = [browser, os].filter(Boolean).join(' on ');
  return parts || (type === 'unknown' ? 'Unknown device' : type);
}

function place(session: Session): string {
  const location = session.location;
  if (!location) return '—';
  return [location.city, location.region, location.country].filter(Boolean).join(', ') || '—';
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Ended sessions from sessionkit's history: how and when each device left. */
export default async function ActivityPage() {
  const session = await requireSession('/settings/activity');
  const ended = await sessionManager.history(session.user.id, { limit: 20 });

  return (
    <>
      <h1>Security log</h1>
      <section className="card">
        <h2>Ended sessions</h2>
        {ended.length === 0 ? (
          <p className="muted">No ended sessions yet.</p>
        ) : (
          <table className="table" data-testid="history">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP address</th>
                <th scope="col">Location</th>
                <th scope="col">Signed in</th>
                <th scope="col">Ended</th>
                <th scope="col">How</th>
              </tr>
            </thead>
            <tbody>
              {ended.map((s) => (
                <tr key={s.id} data-session-id={s.id}>
                  <td>{device(s)}</td>
                  <td>{s.ipAddress ?? '—'}</td>
                  <td>{place(s)}</td>
                  <td>{dateTime.format(s.createdAt)}</td>
                  <td>{s.endedAt ? dateTime.format(s.endedAt) : '—'}</td>
                  <td>
                    <span className={`badge badge-${s.status.toLowerCase()}`}>
                      {STATUS_LABEL[s.status]}
                    </span>
                    {s.endReason === 'reported_not_me' && (
                      <span className="muted small"> · reported “not me”</span>
                    )}
                    {s.endReason === 'replaced' && (
                      <span className="muted small"> · replaced by a new sign-in</span>
                    )}
                    {s.risk && (
                      <span className="muted small"> · flagged: {s.risk.reasons.join(', ')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
