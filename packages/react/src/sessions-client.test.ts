import { afterEach, describe, expect, it, vi } from 'vitest';
import { refreshSessionActivity } from './refreshSessionActivity.js';
import { getSessionsStore, SessionApiError, type SessionsStore } from './sessions-client.js';
import { sessionJson, stubSessionsApi } from './test-utils/api.js';

let pathCount = 0;
// Stores are shared per base path (that is the de-duplication); each test gets its own path.
function freshStore(): { store: SessionsStore; path: string; unsubscribe: () => void } {
  const path = `/test/sessions-${++pathCount}`;
  const store = getSessionsStore(path);
  const unsubscribe = store.subscribe(() => {}, { active: true, refetchOnFocus: false });
  return { store, path, unsubscribe };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.unstubAllGlobals();
});

const threeSessions = () => [
  sessionJson('current'),
  sessionJson('phone', { type: 'mobile', browser: 'Safari', os: 'iOS' }),
  sessionJson('laptop', { browser: 'Chrome', os: 'Windows' }),
];

describe('sessions client', () => {
  it('getSessionsStore() returns one shared store per base path, ignoring a trailing slash', () => {
    expect(getSessionsStore('/api/x/')).toBe(getSessionsStore('/api/x'));
    expect(getSessionsStore('/api/x')).not.toBe(getSessionsStore('/api/y'));
  });

  it('fetchSessions() loads the list with ISO dates revived to Date objects', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store, path } = freshStore();
    await store.fetchSessions();
    const { sessions, currentSessionId, error } = store.getSnapshot();
    expect(api.calls).toEqual([`GET ${path}`]);
    expect(currentSessionId).toBe('current');
    expect(error).toBeNull();
    expect(sessions?.map((s) => s.id)).toEqual(['current', 'phone', 'laptop']);
    expect(sessions?.[0]?.lastActivityAt).toBeInstanceOf(Date);
    expect(sessions?.[0]?.expiresAt.toISOString()).toBe(api.sessions[0]?.expiresAt);
    expect(sessions?.[0]?.endedAt).toBeNull();
  });

  it('fetchMoreSessions() appends the next page once (no duplicates); a refetch starts again at the first page', async () => {
    const api = stubSessionsApi(
      [...threeSessions(), sessionJson('tablet', { type: 'tablet' })],
      'current',
      { pageSize: 2 },
    );
    const { store, path } = freshStore();
    await store.fetchSessions();
    expect(store.getSnapshot().nextCursor).toBe('2');
    // A session from page 1 shows up again on page 2 (the list moved): kept once.
    api.sessions.splice(2, 0, api.sessions[1] as (typeof api.sessions)[number]);
    await Promise.all([store.fetchMoreSessions(), store.fetchMoreSessions()]);
    expect(api.calls).toEqual([`GET ${path}`, `GET ${path}?cursor=2`]);
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current', 'phone', 'laptop']);
    await store.fetchMoreSessions();
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual([
      'current',
      'phone',
      'laptop',
      'tablet',
    ]);
    expect(store.getSnapshot().nextCursor).toBeNull();
    await store.fetchMoreSessions(); // nothing left: no request
    expect(api.calls).toHaveLength(3);
    await store.fetchSessions();
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current', 'phone']);
  });

  it('revokeAllSessions() leaves no next page behind', async () => {
    stubSessionsApi(threeSessions(), 'current', { pageSize: 2 });
    const { store } = freshStore();
    await store.fetchSessions();
    expect(store.getSnapshot().nextCursor).not.toBeNull();
    expect(await store.revokeAllSessions()).toBe(true);
    expect(store.getSnapshot().nextCursor).toBeNull();
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current']);
  });

  it('concurrent fetchSessions() calls share one request', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    await Promise.all([store.fetchSessions(), store.fetchSessions(), store.fetchSessions()]);
    expect(api.calls).toHaveLength(1);
    await store.fetchSessions();
    expect(api.calls).toHaveLength(2);
  });

  it('load(key) fetches once per session key and starts afresh for a new key', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    store.load('a');
    store.load('a');
    await flush();
    store.load('a');
    await flush();
    expect(api.calls).toHaveLength(1);
    store.load('b');
    await flush();
    expect(api.calls).toHaveLength(2);
  });

  it('revokeSession() removes the session at once and calls DELETE ?sessionId=<id>', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store, path } = freshStore();
    await store.fetchSessions();
    const release = api.holdNext('DELETE');
    const result = store.revokeSession('phone');
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current', 'laptop']);
    release();
    await expect(result).resolves.toBe(true);
    expect(api.calls).toContain(`DELETE ${path}?sessionId=phone`);
    expect(api.sessions.map((s) => s.id)).toEqual(['current', 'laptop']);
    expect(store.getSnapshot().error).toBeNull();
  });

  it('revokeSession() URL-encodes the id', async () => {
    const api = stubSessionsApi([sessionJson('current'), sessionJson('a/b&c')], 'current');
    const { store, path } = freshStore();
    await store.fetchSessions();
    await store.revokeSession('a/b&c');
    expect(api.calls).toContain(`DELETE ${path}?sessionId=a%2Fb%26c`);
  });

  it('a failed revoke puts the session back where it was and reports the server error', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    await store.fetchSessions();
    api.failNext('DELETE', 500, 'STORE_UNAVAILABLE');
    await expect(store.revokeSession('phone')).resolves.toBe(false);
    const { sessions, error } = store.getSnapshot();
    expect(sessions?.map((s) => s.id)).toEqual(['current', 'phone', 'laptop']);
    expect(error).toBeInstanceOf(SessionApiError);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 500 });
  });

  it('a revoke that fails without a response rolls back with NETWORK_ERROR', async () => {
    stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    await store.fetchSessions();
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(store.revokeSession('laptop')).resolves.toBe(false);
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toContain('laptop');
    expect(store.getSnapshot().error).toMatchObject({ code: 'NETWORK_ERROR', status: null });
  });

  it('a 404 on revoke (already ended) keeps the session out of the list and resyncs', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    await store.fetchSessions();
    api.sessions = api.sessions.filter((s) => s.id !== 'phone');
    await expect(store.revokeSession('phone')).resolves.toBe(true);
    await flush();
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current', 'laptop']);
    expect(api.calls.filter((c) => c.startsWith('GET'))).toHaveLength(2);
  });

  it('a refetch landing while a revoke is pending does not show the session again', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    await store.fetchSessions();
    const releaseGet = api.holdNext('GET');
    const refetch = store.fetchSessions(); // the server still lists 'phone' in this answer
    const releaseDelete = api.holdNext('DELETE');
    const revoke = store.revokeSession('phone');
    releaseGet();
    await refetch;
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current', 'laptop']);
    releaseDelete();
    await revoke;
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current', 'laptop']);
  });

  it('revokeAllSessions() keeps only the current session and calls DELETE ?revokeAll=true', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store, path } = freshStore();
    await store.fetchSessions();
    const release = api.holdNext('DELETE');
    const result = store.revokeAllSessions();
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current']);
    release();
    await expect(result).resolves.toBe(true);
    expect(api.calls).toContain(`DELETE ${path}?revokeAll=true`);
    expect(api.sessions.map((s) => s.id)).toEqual(['current']);
  });

  it('a failed revokeAllSessions() restores every other session in order', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    await store.fetchSessions();
    api.failNext('DELETE', 503);
    await expect(store.revokeAllSessions()).resolves.toBe(false);
    expect(store.getSnapshot().sessions?.map((s) => s.id)).toEqual(['current', 'phone', 'laptop']);
    expect(store.getSnapshot().error?.status).toBe(503);
  });

  it('a failed load keeps the error with the server code; the next success clears it', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    api.failNext('GET', 500, 'STORE_UNAVAILABLE');
    await store.fetchSessions();
    expect(store.getSnapshot()).toMatchObject({ sessions: null, isFetching: false });
    expect(store.getSnapshot().error?.code).toBe('STORE_UNAVAILABLE');
    await store.fetchSessions();
    expect(store.getSnapshot().error).toBeNull();
    expect(store.getSnapshot().sessions).toHaveLength(3);
  });

  it('an answer that is not { sessions } is a BAD_RESPONSE error, not a crash', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html>', { status: 200 })),
    );
    const { store } = freshStore();
    await store.fetchSessions();
    expect(store.getSnapshot().error?.code).toBe('BAD_RESPONSE');
  });

  it('a 401 ends the session: the list is dropped and onSessionEnded handlers run once', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store } = freshStore();
    await store.fetchSessions();
    const ended = vi.fn();
    store.onSessionEnded(ended);
    api.failNext('GET', 401, 'UNAUTHORIZED');
    await store.fetchSessions();
    api.failNext('GET', 401, 'UNAUTHORIZED');
    await store.fetchSessions();
    expect(store.getSnapshot().sessions).toBeNull();
    expect(store.getSnapshot().error?.status).toBe(401);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it('revoking the current session ends it here and in the other tabs', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store, path } = freshStore();
    const tab = new BroadcastChannel(`sessionkit:${path}`);
    const received: unknown[] = [];
    tab.onmessage = (event) => received.push(event.data);
    await store.fetchSessions();
    const ended = vi.fn();
    store.onSessionEnded(ended);
    await expect(store.revokeSession('current')).resolves.toBe(true);
    expect(api.calls).toContain(`DELETE ${path}?sessionId=current`);
    expect(store.getSnapshot().sessions).toBeNull();
    expect(ended).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(received).toEqual([{ type: 'ended' }]));
    tab.close();
  });

  it('revoking another session tells the other tabs to refetch', async () => {
    stubSessionsApi(threeSessions(), 'current');
    const { store, path } = freshStore();
    const tab = new BroadcastChannel(`sessionkit:${path}`);
    const received: unknown[] = [];
    tab.onmessage = (event) => received.push(event.data);
    await store.fetchSessions();
    await store.revokeSession('phone');
    await vi.waitFor(() => expect(received).toEqual([{ type: 'changed' }]));
    tab.close();
  });

  it('a subscriber that leaves and comes back in the same tick keeps the list', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store, unsubscribe } = freshStore();
    store.load('k');
    await flush();
    unsubscribe();
    store.subscribe(() => {}, { active: true, refetchOnFocus: true });
    await flush();
    expect(store.getSnapshot().sessions).toHaveLength(3);
    store.load('k');
    expect(api.calls).toHaveLength(1);
  });

  it('refreshActivity() sends PATCH and rejects with SessionApiError on failure', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store, path } = freshStore();
    await store.refreshActivity();
    expect(api.calls).toEqual([`PATCH ${path}`]);
    api.failNext('PATCH', 500);
    await expect(store.refreshActivity()).rejects.toBeInstanceOf(SessionApiError);
  });

  it('when the last subscriber leaves, the next one loads a fresh list', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    const { store, unsubscribe } = freshStore();
    store.load('k');
    await flush();
    unsubscribe();
    await flush();
    expect(store.getSnapshot().sessions).toBeNull();
    store.subscribe(() => {}, { active: true, refetchOnFocus: false });
    store.load('k');
    await flush();
    expect(api.calls).toHaveLength(2);
  });
});

describe('refreshSessionActivity()', () => {
  it('sends PATCH to /api/sessions, or to the given base path', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    await refreshSessionActivity();
    await refreshSessionActivity({ basePath: '/auth/sessions' });
    expect(api.calls).toEqual(['PATCH /api/sessions', 'PATCH /auth/sessions']);
  });

  it('rejects with the server error code when the request fails', async () => {
    const api = stubSessionsApi(threeSessions(), 'current');
    api.failNext('PATCH', 401, 'UNAUTHORIZED');
    await expect(refreshSessionActivity()).rejects.toMatchObject({
      name: 'SessionApiError',
      code: 'UNAUTHORIZED',
      status: 401,
    });
  });
});
