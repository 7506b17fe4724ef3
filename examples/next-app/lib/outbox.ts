// A development outbox: where a real app would send an email, the demo keeps
// the message in memory so /settings/notifications can show it. Process-wide
// (on globalThis) for the same reason as the session manager: Next.js loads
// this module once per server bundle.

export interface OutboxMessage {
  id: number;
  /** The demo user's id (sessionkit's `userId`). */
  userId: string;
  to: string;
  subject: string;
  /** Plain-text body; the "This wasn't me" link is its last line. */
  text: string;
  /** The one-click link that opens the confirm page for `sessionId`. */
  notMeUrl: string;
  /** The session the message is about. */
  sessionId: string;
  sentAt: Date;
}

interface Outbox {
  nextId: number;
  messages: OutboxMessage[];
}

const OUTBOX_KEY = Symbol.for('sessionkit-example:outbox');
type GlobalWithOutbox = typeof globalThis & { [OUTBOX_KEY]?: Outbox };

// Keep the demo's memory bounded however many sign-ins it sees.
const MAX_MESSAGES = 200;

function outbox(): Outbox {
  const global = globalThis as GlobalWithOutbox;
  global[OUTBOX_KEY] ??= { nextId: 1, messages: [] };
  return global[OUTBOX_KEY];
}

/** "Sends" a message: stores it, or replaces the earlier one about the same session. */
export function sendEmail(message: Omit<OutboxMessage, 'id' | 'sentAt'>): void {
  const box = outbox();
  const earlier = box.messages.findIndex((m) => m.sessionId === message.sessionId);
  const stored = { ...message, id: box.nextId++, sentAt: new Date() };
  if (earlier >= 0) box.messages.splice(earlier, 1);
  box.messages.unshift(stored);
  box.messages.length = Math.min(box.messages.length, MAX_MESSAGES);
  if (earlier < 0) console.log(`[outbox] to ${message.to}: ${message.subject}`);
}

/** The messages sent to a user, newest first. */
export function messagesFor(userId: string): OutboxMessage[] {
  return outbox().messages.filter((m) => m.userId === userId);
}
