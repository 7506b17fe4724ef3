// Fetch + cache for the sessions API, with no React in it: the hooks only adapt
// this store to useSyncExternalStore (TanStack-style thin binding).
import type { Session } from '@sessionkit/core';
import { createRefreshTimer } from './refresh-timer.js';
import { openTabChannel, type TabChannel, type TabMessage } from './tab-channel.js';

/** Where `createSessionRouteHandlers` is mounted unless told otherwise. */
export const DEFAULT_BASE_PATH = '/api/sessions';

/**
 * A request to the sessions API failed. `code` is the server's
 * `{ error: { code } }` when it sent one, else `'NETWORK_ERROR'` (no response),
 * `'BAD_RESPONSE'` (not the expected JSON) or `'HTTP_<status>'`. `status` is the
 * HTTP status, or null when no response arrived.
 */
export class SessionApiError extends Error {
  readonly code: string;
  readonly status: number | null;

  constructor(code: string, message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionApiError';
    this.code = code;
    this.status = status;
  }
}

/** What the store holds; a new object on every change (useSyncExternalStore compares by identity). */
export interface SessionsSnapshot {
  /** Null until the first successful load (or after the session ended). */
  sessions: Session[] | null;
  currentSessionId: string | null;
  /** Cursor of the next page of sessions, or null when `sessions` holds them all. */
  nextCursor: string | null;
  isFetching: boolean;
  error: SessionApiError | null;
}

export interface SubscribeOptions {
  /** The subscriber is signed in: focus and other tabs' changes may refetch. */
  active: boolean;
  refetchOnFocus: boolean;
  /** Refetch every this many ms while the page is visible and signed in; 0: never. @default 0 */
  refreshInterval?: number;
}

export interface SessionsStore {
  getSnapshot(): SessionsSnapshot;
  subscribe(listener: () => void, options: SubscribeOptions): () => void;
  /** Loads once per signed-in session (`key`): a new key starts afresh. */
  load(key: string): void;
  /** GET the list (its first page); concurrent calls share one request. Never rejects: failures land in `error`. */
  fetchSessions(): Promise<void>;
  /** GET the next page and append it; shares a request in flight. Never rejects. */
  fetchMoreSessions(): Promise<void>;
  /** Optimistic DELETE of one session; rolled back (and `error` set) when it fails. */
  revokeSession(sessionId: string): Promise<boolean>;
  /** Optimistic DELETE of every session but the current one; rolled back on failure. */
  revokeAllSessions(): Promise<boolean>;
  /** PATCH: refresh the current session's activity. Rejects with {@link SessionApiError}. */
  refreshActivity(): Promise<void>;
  /** Called when this tab signed out: forget the list and tell the other tabs. */
  signedOut(): void;
  /** Registers a way to tell next-auth that the session ended elsewhere (another tab, or a 401); one of them runs. */
  onSessionEnded(handler: () => void): () => void;
}

const INITIAL: SessionsSnapshot = {
  sessions: null,
  currentSessionId: null,
  nextCursor: null,
  isFetching: false,
  error: null,
};

const stores = new Map<string, SessionsStore>();

/** One store per base path, shared by every hook and component in the page (de-duplication). */
export function getSessionsStore(basePath: string = DEFAULT_BASE_PATH): SessionsStore {
  const path = basePath.replace(/\/+$/, '') || '/';
  let store = stores.get(path);
  if (!store) {
    store = createSessionsStore(path);
    stores.set(path, store);
  }
  return store;
}

/** The snapshot a server render sees: nothing loaded, nothing fetching. */
export function getServerSnapshot(): SessionsSnapshot {
  return INITIAL;
}

function createSessionsStore(basePath: string): SessionsStore {
  let state = INITIAL;
  let loadedKey: string | null = null;
  let inflight: Promise<void> | null = null;
  // Which request `inflight` is: one abandoned by a reset must not clear a newer one.
  let fetchCount = 0;
  // Bumped when the session ends, so a response that was already on its way
  // cannot bring back the list of a session that is gone.
  let generation = 0;
  // Revocations still waiting for the server: a refetch landing meanwhile must
  // not show those sessions again.
  const pendingRevokes = new Set<string>();
  let pendingRevokeAll = 0;

  const listeners = new Set<() => void>();
  const endedHandlers = new Set<() => void>();
  let subscribers = 0;
  let activeSubscribers = 0;
  let focusSubscribers = 0;
  let channel: TabChannel | null = null;
  // A refetch on a timer only makes sense while someone signed in shows the list.
  // Not while the user has loaded more pages: a refetch shows the first page
  // again, and a timer must not collapse a list the user expanded.
  let morePagesShown = false;
  const refreshTimer = createRefreshTimer(() => {
    if (activeSubscribers > 0 && !morePagesShown) void fetchSessions();
  });

  const setState = (patch: Partial<SessionsSnapshot>) => {
    state = { ...state, ...patch };
    for (const listener of listeners) listener();
  };

  const url = (query = '') => `${basePath}${query}`;

  const visibleList = (sessions: Session[], currentSessionId: string | null) =>
    sessions.filter(
      (s) => !pendingRevokes.has(s.id) && (pendingRevokeAll === 0 || s.id === currentSessionId),
    );

  // The session is over (signed out, revoked, expired): forget everything and
  // stay quiet until a new session (a new `load` key) begins.
  const endSession = (error: SessionApiError) => {
    generation++;
    setState({ ...INITIAL, error });
  };

  // The server no longer knows this session: it was revoked from another device,
  // expired, or signed out. Tell next-auth and the other tabs, once.
  const handleUnauthorized = (error: SessionApiError) => {
    const alreadyEnded = state.error?.status === 401;
    endSession(error);
    if (alreadyEnded) return;
    post({ type: 'ended' });
    notifyEnded();
  };

  // Every hook on the page reads the same next-auth SessionProvider, so one
  // handler (one session refetch) is enough however many hooks are mounted.
  const notifyEnded = () => {
    const [handler] = endedHandlers;
    handler?.();
  };

  const post = (message: TabMessage) => {
    if (channel) channel.post(message);
    else {
      const once = openTabChannel(url(), () => {});
      once.post(message);
      once.close();
    }
  };

  const onTabMessage = (message: TabMessage) => {
    if (message.type === 'ended') {
      if (state.error?.status === 401) return;
      endSession(
        new SessionApiError('SESSION_ENDED', 'This session was ended in another tab.', 401),
      );
      notifyEnded();
    } else if (activeSubscribers > 0) {
      void fetchSessions();
    }
  };

  const onFocus = () => {
    if (document.visibilityState !== 'hidden' && focusSubscribers > 0) void fetchSessions();
  };

  // The first page replaces the list; a later page (`cursor`) is appended to it.
  const fetchPage = (cursor: string | null): Promise<void> => {
    if (inflight) return inflight;
    const startedIn = generation;
    const fetchId = ++fetchCount;
    setState({ isFetching: true });
    const request = (async () => {
      try {
        const page = parseList(
          await send('GET', url(cursor ? `?cursor=${encodeURIComponent(cursor)}` : '')),
        );
        if (fetchCount === fetchId) inflight = null;
        if (startedIn !== generation) return;
        const { currentSessionId } = page;
        morePagesShown = cursor !== null;
        const kept = cursor ? (state.sessions ?? []) : [];
        const sessions = [
          ...kept,
          ...page.sessions.filter((s) => !kept.some((k) => k.id === s.id)),
        ];
        setState({
          sessions: visibleList(sessions, currentSessionId),
          currentSessionId,
          nextCursor: page.nextCursor,
          isFetching: false,
          error: null,
        });
      } catch (caught) {
        if (fetchCount === fetchId) inflight = null;
        if (startedIn !== generation) return;
        const error = toApiError(caught);
        if (error.status === 401) handleUnauthorized(error);
        else setState({ isFetching: false, error });
      }
    })();
    inflight = request;
    return request;
  };
  const fetchSessions = () => fetchPage(null);

  const revokeSession = async (sessionId: string): Promise<boolean> => {
    const before = state.sessions ?? [];
    const index = before.findIndex((s) => s.id === sessionId);
    const removed = before[index];
    const isCurrent = sessionId === state.currentSessionId;
    const startedIn = generation;
    pendingRevokes.add(sessionId);
    if (removed) setState({ sessions: before.filter((s) => s.id !== sessionId), error: null });
    try {
      await send('DELETE', url(`?sessionId=${encodeURIComponent(sessionId)}`));
    } catch (caught) {
      pendingRevokes.delete(sessionId);
      const error = toApiError(caught);
      // 404: it is no longer among this user's active sessions, which is what
      // was asked for. Keep it out of the list and resync.
      if (error.status === 404) {
        void fetchSessions();
        return true;
      }
      if (error.status === 401) handleUnauthorized(error);
      else if (startedIn === generation) {
        setState({ sessions: restore(state.sessions, [[index, removed]]), error });
      }
      return false;
    }
    pendingRevokes.delete(sessionId);
    if (isCurrent) {
      endSession(new SessionApiError('SESSION_ENDED', 'This session was revoked.', 401));
      post({ type: 'ended' });
      notifyEnded();
    } else {
      post({ type: 'changed' });
    }
    return true;
  };

  const revokeAllSessions = async (): Promise<boolean> => {
    const before = state.sessions ?? [];
    const current = state.currentSessionId;
    const removed = before.flatMap((s, i): [number, Session][] =>
      s.id === current ? [] : [[i, s]],
    );
    const startedIn = generation;
    pendingRevokeAll++;
    setState({ sessions: before.filter((s) => s.id === current), error: null });
    try {
      await send('DELETE', url('?revokeAll=true'));
    } catch (caught) {
      pendingRevokeAll--;
      const error = toApiError(caught);
      if (error.status === 401) handleUnauthorized(error);
      else if (startedIn === generation) {
        setState({ sessions: restore(state.sessions, removed), error });
      }
      return false;
    }
    pendingRevokeAll--;
    // Every other session ended, on later pages too.
    setState({ nextCursor: null });
    post({ type: 'changed' });
    return true;
  };

  const refreshActivity = async (): Promise<void> => {
    try {
      await send('PATCH', url());
    } catch (caught) {
      const error = toApiError(caught);
      if (error.status === 401) handleUnauthorized(error);
      throw error;
    }
  };

  return {
    getSnapshot: () => state,
    subscribe(listener, options) {
      listeners.add(listener);
      subscribers++;
      if (options.active) activeSubscribers++;
      if (options.refetchOnFocus) focusSubscribers++;
      if (subscribers === 1) channel = openTabChannel(url(), onTabMessage);
      if (options.refetchOnFocus && focusSubscribers === 1) {
        window.addEventListener('focus', onFocus);
        document.addEventListener('visibilitychange', onFocus);
      }
      const stopRefresh = options.active ? refreshTimer.add(options.refreshInterval ?? 0) : null;
      return () => {
        stopRefresh?.();
        listeners.delete(listener);
        subscribers--;
        if (options.active) activeSubscribers--;
        if (options.refetchOnFocus && --focusSubscribers === 0) {
          window.removeEventListener('focus', onFocus);
          document.removeEventListener('visibilitychange', onFocus);
        }
        if (subscribers === 0) {
          channel?.close();
          channel = null;
          // Nobody shows the list any more: the next page that does loads it
          // fresh. Checked a tick later, because React re-subscribes in the same
          // commit when a hook's options change; a request in flight still lands
          // (StrictMode's unmount-remount relies on it).
          setTimeout(() => {
            if (subscribers === 0 && !inflight) {
              state = INITIAL;
              loadedKey = null;
            }
          }, 0);
        }
      };
    },
    load(key) {
      if (key !== loadedKey) {
        if (loadedKey !== null) {
          generation++;
          state = INITIAL;
          inflight = null;
        }
        loadedKey = key;
        if (state.sessions === null && state.error === null) void fetchSessions();
        return;
      }
      if (state.sessions === null && state.error === null && !inflight) void fetchSessions();
    },
    fetchSessions,
    fetchMoreSessions: () => (state.nextCursor ? fetchPage(state.nextCursor) : Promise.resolve()),
    revokeSession,
    revokeAllSessions,
    refreshActivity,
    signedOut() {
      endSession(new SessionApiError('SESSION_ENDED', 'Signed out.', 401));
      post({ type: 'ended' });
    },
    onSessionEnded(handler) {
      endedHandlers.add(handler);
      return () => endedHandlers.delete(handler);
    },
  };
}

/** Puts rolled-back sessions back at their old positions, unless a refetch already has them. */
function restore(sessions: Session[] | null, removed: [number, Session | undefined][]): Session[] {
  const next = [...(sessions ?? [])];
  for (const [index, session] of removed) {
    if (session && !next.some((s) => s.id === session.id)) {
      next.splice(Math.min(index, next.length), 0, session);
    }
  }
  return next;
}

/** One JSON request to a sessionkit route; throws {@link SessionApiError} on failure. */
export async function send(method: 'GET' | 'DELETE' | 'PATCH', url: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
  } catch (cause) {
    throw new SessionApiError(
      'NETWORK_ERROR',
      `${method} ${url} got no response. Check the connection and try again.`,
      null,
      { cause },
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = isRecord(body) && isRecord(body.error) ? body.error : {};
    throw new SessionApiError(
      typeof error.code === 'string' ? error.code : `HTTP_${response.status}`,
      typeof error.message === 'string'
        ? error.message
        : `${method} ${url} failed with HTTP ${response.status}.`,
      response.status,
    );
  }
  return body;
}

export function toApiError(error: unknown): SessionApiError {
  if (error instanceof SessionApiError) return error;
  return new SessionApiError(
    'BAD_RESPONSE',
    error instanceof Error ? error.message : 'Unexpected response from the sessions API.',
    null,
    { cause: error },
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseList(body: unknown): {
  sessions: Session[];
  currentSessionId: string | null;
  nextCursor: string | null;
} {
  if (!isRecord(body) || !Array.isArray(body.sessions)) {
    throw new SessionApiError(
      'BAD_RESPONSE',
      'The sessions API did not answer { sessions, currentSessionId }. Is createSessionRouteHandlers mounted at this path?',
      200,
    );
  }
  return {
    sessions: body.sessions.filter(isRecord).map(reviveSession),
    currentSessionId: typeof body.currentSessionId === 'string' ? body.currentSessionId : null,
    nextCursor: typeof body.nextCursor === 'string' ? body.nextCursor : null,
  };
}

/** JSON carries dates as ISO strings; the client hands out real `Date`s, like the server's `Session`. */
function reviveSession(raw: Record<string, unknown>): Session {
  const date = (value: unknown) => new Date(value as string);
  return {
    ...(raw as unknown as Session),
    createdAt: date(raw.createdAt),
    lastActivityAt: date(raw.lastActivityAt),
    expiresAt: date(raw.expiresAt),
    endedAt: raw.endedAt == null ? null : date(raw.endedAt),
  };
}
