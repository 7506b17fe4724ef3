import type { DefaultSession } from 'next-auth';

/**
 * `session.user` of a tracked session. To type more user fields, augment this
 * interface rather than `Session['user']` (two declarations of `user` clash):
 *
 * @example
 * declare module '@sessionkit/next-auth' {
 *   interface TrackedSessionUser { role: 'admin' | 'member' }
 * }
 */
export interface TrackedSessionUser {
  /** The signed-in user's id. */
  id: string;
}

/** What `withSessionTracking` adds to every NextAuth session. */
export interface TrackedSessionFields {
  /** The sessionkit session id: pass it to `DELETE /api/sessions?sessionId=`. Not a secret. */
  sessionId: string;
  /** When the tracked session ends at the latest, ISO 8601. */
  expiresAt: string;
  user: TrackedSessionUser & NonNullable<DefaultSession['user']>;
}

// Importing @sessionkit/next-auth types `session.sessionId`, `session.expiresAt`
// and `session.user.id` for next-auth v4 (`getServerSession`, `useSession`) and
// v5 (`auth()`, `useSession`): both export `Session` from the 'next-auth' module.
// The properties are declared one by one: an `extends` clause would lose `user`
// to the one `DefaultSession` declares.
declare module 'next-auth' {
  interface Session {
    sessionId: TrackedSessionFields['sessionId'];
    expiresAt: TrackedSessionFields['expiresAt'];
    user: TrackedSessionFields['user'];
  }
}
