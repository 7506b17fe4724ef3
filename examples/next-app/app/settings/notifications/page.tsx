import type { Metadata } from 'next';
import { messagesFor } from '@/lib/outbox';
import { requireSession } from '@/lib/require-session';

export const metadata: Metadata = { title: 'Notifications' };

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

/**
 * The development outbox: the emails the app "sent" this user about new
 * devices and suspicious sign-ins (lib/notifications.ts). A real app hands
 * them to its mailer instead.
 */
export default async function NotificationsPage() {
  const session = await requireSession('/settings/notifications');
  const messages = messagesFor(session.user.id);

  return (
    <>
      <h1>Notifications</h1>
      <p className="muted">
        Development outbox: the emails this demo would have sent to {session.user.email}.
      </p>
      {messages.length === 0 ? (
        <p className="card muted">No emails yet. Sign in from another browser to get one.</p>
      ) : (
        // biome-ignore lint/a11y/noRedundantRoles: list-style none drops list semantics in Safari
        <ul className="plain-list" role="list" data-testid="outbox">
          {messages.map((m) => (
            <li key={m.id} className="card" data-session-id={m.sessionId}>
              <h2>{m.subject}</h2>
              <p className="muted small">
                To {m.to} · {dateTime.format(m.sentAt)} UTC
              </p>
              <pre className="mail">{m.text}</pre>
              <a href={m.notMeUrl}>This wasn’t me</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
