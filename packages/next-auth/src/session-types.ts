import type { DefaultSession, Session } from 'next-auth';

/**
 * `session.user` of a tracked session. To type more user fields of
 * {@link TrackedSession}, augment this interface:
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

/**
 * A NextAuth session as `withSessionTracking` shapes it, every sessionkit field
 * present. Narrow to it with {@link isTrackedSession}.
 */
export type TrackedSession = Omit<Session, 'user'> & TrackedSessionFields;

/**
 * Whether a NextAuth session (`auth()`, `getServerSession()`, `useSession().data`)
 * carries the fields `withSessionTracking` adds; narrows it to {@link TrackedSession}.
 *
 * @example
 * const session = await auth();
 * if (!isTrackedSession(session)) redirect('/auth/signin');
 * session.user.id; // string
 */
export function isTrackedSession(session: unknown): session is TrackedSession {
  if (!session || typeof session !== 'object') return false;
  const { sessionId, expiresAt, user } = session as Record<string, unknown>;
  return (
    typeof sessionId === 'string' &&
    typeof expiresAt === 'string' &&
    !!user &&
    typeof user === 'object' &&
    typeof (user as { id?: unknown }).id === 'string'
  );
}

// Importing @sessionkit/next-auth types `session.sessionId` and
// `session.expiresAt` for next-auth v4 and v5 (both export `Session` from the
// 'next-auth' module). They are optional, and `user` is left as the app (or
// next-auth) declares it: a required field here would break every place an
// existing app builds a `Session` of its own (tests, mocks, callbacks), and a
// second declaration of `user` would clash with the app's own augmentation.
// Code that wants them all present narrows with isTrackedSession().
declare module 'next-auth' {
  interface Session {
    sessionId?: TrackedSessionFields['sessionId'];
    expiresAt?: TrackedSessionFields['expiresAt'];
    /**
     * True while this sign-in was challenged (`suspiciousLogin.policy:
     * 'challenge'`) and not verified yet; absent otherwise. Show a "verify it's
     * you" step; sensitive actions are refused until `manager.markVerified()`.
     */
    verificationRequired?: boolean;
  }
}
