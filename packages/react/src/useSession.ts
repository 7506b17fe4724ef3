import type { Session } from '@sessionkit/core';
import {
  signOut as nextAuthSignOut,
  type SessionContextValue,
  useSession as useNextAuthSession,
} from 'next-auth/react';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { DEFAULT_REFRESH_INTERVAL } from './refresh-timer.js';
import {
  DEFAULT_BASE_PATH,
  getServerSnapshot,
  getSessionsStore,
  type SessionApiError,
} from './sessions-client.js';

export interface UseSessionOptions<R extends boolean = false> {
  /** Where `createSessionRouteHandlers` is mounted. @default '/api/sessions' */
  basePath?: string;
  /** Refetch the session list when the window regains focus. @default true */
  refetchOnWindowFocus?: boolean;
  /**
   * Refetch the session list every this many milliseconds while the page is
   * visible (paused while the tab is hidden), so a device that signs in
   * elsewhere shows up. `0` turns it off.
   * @default 30_000
   */
  refreshInterval?: number;
  /** Passed to next-auth's `useSession`: redirect to sign-in when signed out. @default false */
  required?: R;
  /** Passed to next-auth's `useSession`: called instead of the redirect when `required`. */
  onUnauthenticated?: () => void;
}

/** Passed on to next-auth's `signOut`; the same fields in v4 and v5. */
export interface SignOutOptions {
  /** Where to go once signed out (next-auth v5; v4 reads `callbackUrl`). */
  redirectTo?: string;
  /** Where to go once signed out (next-auth v4; deprecated in v5). */
  callbackUrl?: string;
  /** `false`: stay on the page without a reload. @default true */
  redirect?: boolean;
}

export interface SessionkitSessionState {
  /** This user's active sessions, current one included; `[]` while signed out or loading. */
  sessions: Session[];
  /** Id of the session this browser is signed in with. */
  currentSessionId: string | null;
  /** True until next-auth and the first session list have loaded. */
  isLoading: boolean;
  /** The last failed request (load, revoke, refresh); cleared by the next success. */
  error: SessionApiError | null;
  /** Reloads the list (its first page). Calls made while one is running share its request. Never rejects. */
  fetchSessions: () => Promise<void>;
  /** Whether the server has more sessions than `sessions` holds (it sends 100 per page). */
  hasMoreSessions: boolean;
  /** Loads the next page and appends it to `sessions`. Never rejects. */
  fetchMoreSessions: () => Promise<void>;
  /**
   * Ends one session. It leaves `sessions` at once; if the server refuses, it
   * comes back and `error` says why. Resolves to whether it was revoked; never rejects.
   */
  revokeSession: (sessionId: string) => Promise<boolean>;
  /** Ends every session but the current one, optimistically like `revokeSession`. */
  revokeAllSessions: () => Promise<boolean>;
  /**
   * next-auth's `signOut`, then tells this browser's other tabs. The tracked
   * session is marked `LOGGED_OUT` on the server by `withSessionTracking`'s
   * `signOut` event during next-auth's sign-out request.
   */
  signOut: (options?: SignOutOptions) => Promise<void>;
}

/** Everything next-auth's `useSession()` returns, plus the tracked sessions. */
export type UseSessionResult<R extends boolean = false> = SessionContextValue<R> &
  SessionkitSessionState;

const NO_SESSIONS: Session[] = [];

/**
 * next-auth's `useSession()` plus the signed-in user's sessions. Every
 * component using it on a page shares one list and one request.
 *
 * @example
 * const { sessions, currentSessionId, revokeSession } = useSession();
 */
export function useSession<R extends boolean = false>(
  options: UseSessionOptions<R> = {},
): UseSessionResult<R> {
  const {
    basePath = DEFAULT_BASE_PATH,
    refetchOnWindowFocus = true,
    refreshInterval = DEFAULT_REFRESH_INTERVAL,
  } = options;
  const nextAuth = useNextAuthSession<R>(
    options.required
      ? { required: options.required, onUnauthenticated: options.onUnauthenticated }
      : undefined,
  );
  const store = getSessionsStore(basePath);
  const signedIn = nextAuth.status === 'authenticated';
  const sessionKey = signedIn ? sessionIdOf(nextAuth.data) : null;

  const subscribe = useCallback(
    (listener: () => void) =>
      store.subscribe(listener, {
        active: signedIn,
        refetchOnFocus: signedIn && refetchOnWindowFocus,
        refreshInterval,
      }),
    [store, signedIn, refetchOnWindowFocus, refreshInterval],
  );
  const snapshot = useSyncExternalStore(subscribe, store.getSnapshot, getServerSnapshot);

  useEffect(() => {
    if (sessionKey !== null) store.load(sessionKey);
  }, [store, sessionKey]);

  // When another tab or the server ends the session, next-auth must drop its
  // client state. update() alone cannot: in v4 and v5 alike it only stores a
  // non-empty answer (`if (newSession) setSession(newSession)`), so a revoked
  // tab would keep looking signed in. It still goes first, as the check: if the
  // user has signed in again meanwhile (another tab), it returns and applies
  // that session and nothing is signed out. Only when the server has no session
  // does signOut({ redirect: false }) run: the one public call that refetches
  // into SessionProvider (`_getSession({ event: 'storage' })`), tells
  // next-auth's other tabs, and clears the dead cookie, without a page load.
  const update = nextAuth.update;
  useEffect(() => store.onSessionEnded(() => void endNextAuthSession(update)), [store, update]);

  const signOut = useCallback(
    async (signOutOptions?: SignOutOptions) => {
      // v4 and v5 type these options differently; both accept this shape.
      await nextAuthSignOut(signOutOptions as Parameters<typeof nextAuthSignOut>[0]);
      store.signedOut();
    },
    [store],
  );

  const state = useMemo(
    (): SessionkitSessionState => ({
      sessions: (signedIn && snapshot.sessions) || NO_SESSIONS,
      currentSessionId: signedIn ? snapshot.currentSessionId : null,
      isLoading:
        nextAuth.status === 'loading' ||
        (signedIn && snapshot.sessions === null && snapshot.error === null),
      error: signedIn ? snapshot.error : null,
      fetchSessions: store.fetchSessions,
      hasMoreSessions: signedIn && snapshot.nextCursor !== null,
      fetchMoreSessions: store.fetchMoreSessions,
      revokeSession: store.revokeSession,
      revokeAllSessions: store.revokeAllSessions,
      signOut,
    }),
    [snapshot, signedIn, nextAuth.status, store, signOut],
  );

  return useMemo(() => ({ ...nextAuth, ...state }), [nextAuth, state]);
}

async function endNextAuthSession(update: () => Promise<unknown>): Promise<void> {
  try {
    if (sessionIdOf(await update()) !== '') return;
    await nextAuthSignOut({ redirect: false } as Parameters<typeof nextAuthSignOut>[0]);
  } catch {
    // Offline: the next navigation or focus refetch signs the tab out instead.
  }
}

/** `session.sessionId` as `withSessionTracking`'s session callback exposes it. */
function sessionIdOf(data: unknown): string {
  const id = (data as { sessionId?: unknown } | null)?.sessionId;
  return typeof id === 'string' ? id : '';
}
