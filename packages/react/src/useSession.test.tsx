import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import { useSession as useNextAuthSession } from 'next-auth/react';
import { StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionJson, stubSessionsApi } from './test-utils/api.js';
import {
  nextAuthSignOut,
  setNextAuth,
  signedIn,
  signedOut,
  unmountAll,
} from './test-utils/next-auth.js';
import { useSession } from './useSession.js';

vi.mock('next-auth/react', () => ({ useSession: vi.fn(), signOut: vi.fn(async () => undefined) }));

const sessions = () => [
  sessionJson('current'),
  sessionJson('phone', { type: 'mobile', browser: 'Safari', os: 'iOS' }),
];

/** A second "tab": its own BroadcastChannel on the store's channel. */
function otherTab(path = '/api/sessions') {
  const channel = new BroadcastChannel(`sessionkit:${path}`);
  const received: unknown[] = [];
  channel.onmessage = (event) => received.push(event.data);
  return {
    received,
    post: (data: unknown) => channel.postMessage(data),
    close: () => channel.close(),
  };
}

function Count({ label }: { label: string }) {
  const { sessions, revokeSession } = useSession();
  return (
    <button type="button" onClick={() => revokeSession('phone')}>
      {label}: {sessions.length}
    </button>
  );
}

beforeEach(() => {
  vi.mocked(nextAuthSignOut()).mockClear();
});

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

describe('useSession', () => {
  it("returns next-auth's fields plus the sessions loaded from GET /api/sessions", async () => {
    const api = stubSessionsApi(sessions(), 'current');
    const nextAuth = setNextAuth(signedIn());
    const { result } = renderHook(() => useSession());
    expect(result.current.isLoading).toBe(true);
    await waitFor(() => expect(result.current.isLoading).toBe(false));
    expect(result.current.status).toBe('authenticated');
    expect(result.current.data).toBe(nextAuth.data);
    expect(result.current.update).toBe(nextAuth.update);
    expect(result.current.sessions.map((s) => s.id)).toEqual(['current', 'phone']);
    expect(result.current.currentSessionId).toBe('current');
    expect(result.current.error).toBeNull();
    expect(api.calls).toEqual(['GET /api/sessions']);
  });

  it('loads once under StrictMode (mount, unmount, remount)', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { result } = renderHook(() => useSession(), { wrapper: StrictMode });
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    expect(api.calls).toEqual(['GET /api/sessions']);
  });

  it("passes required and onUnauthenticated on to next-auth's useSession", () => {
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedOut());
    const onUnauthenticated = () => {};
    renderHook(() => useSession({ required: true, onUnauthenticated }));
    expect(vi.mocked(useNextAuthSession)).toHaveBeenLastCalledWith({
      required: true,
      onUnauthenticated,
    });
  });

  it('keeps the list when its options change while mounted', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { result, rerender } = renderHook(
      ({ focus }) => useSession({ refetchOnWindowFocus: focus }),
      { initialProps: { focus: true } },
    );
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    rerender({ focus: false });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(result.current.sessions).toHaveLength(2);
    expect(result.current.isLoading).toBe(false);
    expect(api.calls).toEqual(['GET /api/sessions']);
  });

  it('uses the configured base path for every request', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { result } = renderHook(() => useSession({ basePath: '/auth/devices' }));
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    await act(() => result.current.revokeSession('phone'));
    expect(api.calls).toEqual(['GET /auth/devices', 'DELETE /auth/devices?sessionId=phone']);
  });

  it('components using the hook at the same time share one request and one list', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    render(
      <>
        <Count label="a" />
        <Count label="b" />
        <Count label="c" />
      </>,
    );
    await screen.findByText('a: 2');
    expect(screen.getByText('c: 2')).toBeTruthy();
    expect(api.calls).toEqual(['GET /api/sessions']);
    await act(async () => screen.getByText('a: 2').click());
    // One component revoked; every other one shows the new list.
    expect(screen.getByText('b: 1')).toBeTruthy();
    expect(screen.getByText('c: 1')).toBeTruthy();
  });

  it('refetches when the window regains focus, once however many components listen', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { result } = renderHook(() => [useSession(), useSession()]);
    await waitFor(() => expect(result.current[0]?.sessions).toHaveLength(2));
    api.sessions = [sessionJson('current')];
    act(() => {
      window.dispatchEvent(new Event('focus'));
    });
    await waitFor(() => expect(result.current[1]?.sessions).toHaveLength(1));
    expect(api.calls).toEqual(['GET /api/sessions', 'GET /api/sessions']);
  });

  it('does not refetch on focus with refetchOnWindowFocus: false', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { result } = renderHook(() => useSession({ refetchOnWindowFocus: false }));
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    window.dispatchEvent(new Event('focus'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(api.calls).toEqual(['GET /api/sessions']);
  });

  it('fetches nothing while signed out and returns an empty list', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedOut());
    const { result } = renderHook(() => useSession());
    window.dispatchEvent(new Event('focus'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(result.current).toMatchObject({
      status: 'unauthenticated',
      sessions: [],
      currentSessionId: null,
      isLoading: false,
    });
    expect(api.calls).toEqual([]);
  });

  it('revokeSession() is optimistic and rolls back with an error when the server fails', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    api.failNext('DELETE', 500);
    const release = api.holdNext('DELETE');
    let revoked: Promise<boolean> | undefined;
    act(() => {
      revoked = result.current.revokeSession('phone');
    });
    expect(result.current.sessions.map((s) => s.id)).toEqual(['current']);
    release();
    await act(async () => {
      await expect(revoked).resolves.toBe(false);
    });
    expect(result.current.sessions.map((s) => s.id)).toEqual(['current', 'phone']);
    expect(result.current.error?.status).toBe(500);
  });

  it("signOut() runs next-auth's signOut with the options, then tells the other tabs", async () => {
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const tab = otherTab();
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    await act(() => result.current.signOut({ callbackUrl: '/bye' }));
    expect(nextAuthSignOut()).toHaveBeenCalledWith({ callbackUrl: '/bye' });
    await waitFor(() => expect(tab.received).toEqual([{ type: 'ended' }]));
    expect(result.current.sessions).toEqual([]);
    tab.close();
  });

  it('when signing out fails, the other tabs are not told', async () => {
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    vi.mocked(nextAuthSignOut()).mockRejectedValueOnce(new Error('offline'));
    const tab = otherTab();
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    await act(async () => {
      await expect(result.current.signOut()).rejects.toThrow('offline');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tab.received).toEqual([]);
    expect(result.current.sessions).toHaveLength(2);
    tab.close();
  });

  it("another tab's sign-out (BroadcastChannel) clears the list and signs next-auth out without a redirect", async () => {
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const tab = otherTab();
    // Two hooks on the page: next-auth is asked once, not once per hook.
    const { result } = renderHook(() => [useSession(), useSession()] as const);
    await waitFor(() => expect(result.current[0].sessions).toHaveLength(2));
    tab.post({ type: 'ended' });
    await waitFor(() => expect(nextAuthSignOut()).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(nextAuthSignOut()).toHaveBeenCalledTimes(1);
    expect(nextAuthSignOut()).toHaveBeenCalledWith({ redirect: false });
    expect(result.current[0].sessions).toEqual([]);
    expect(result.current[1].sessions).toEqual([]);
    tab.close();
  });

  it('without BroadcastChannel, the storage event carries the message', async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    act(() => {
      window.dispatchEvent(
        new StorageEvent('storage', {
          key: 'sessionkit:/api/sessions',
          newValue: JSON.stringify({ type: 'ended', nonce: 1 }),
        }),
      );
    });
    await waitFor(() => expect(nextAuthSignOut()).toHaveBeenCalledWith({ redirect: false }));
    expect(result.current.sessions).toEqual([]);
  });

  it('without BroadcastChannel, signOut() writes the message to localStorage for other tabs', async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const setItem = vi.spyOn(Storage.prototype, 'setItem');
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    await act(() => result.current.signOut());
    expect(setItem).toHaveBeenCalledWith(
      'sessionkit:/api/sessions',
      expect.stringContaining('"type":"ended"'),
    );
    expect(localStorage.getItem('sessionkit:/api/sessions')).toBeNull();
    setItem.mockRestore();
  });

  it('learning from a 401 that the session was revoked tells next-auth and the other tabs', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const tab = otherTab();
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    api.failNext('GET', 401, 'UNAUTHORIZED');
    await act(() => result.current.fetchSessions());
    await waitFor(() => expect(nextAuthSignOut()).toHaveBeenCalledTimes(1));
    expect(nextAuthSignOut()).toHaveBeenCalledWith({ redirect: false });
    expect(result.current.error?.status).toBe(401);
    await waitFor(() => expect(tab.received).toEqual([{ type: 'ended' }]));
    tab.close();
  });

  it('a 401 first asks next-auth to update; a new session found then (signed in again meanwhile) is kept, not signed out', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    const nextAuth = setNextAuth(signedIn());
    nextAuth.update.mockResolvedValueOnce({ sessionId: 'signed-in-again', user: { id: 'user-1' } });
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    api.failNext('GET', 401, 'SESSION_ENDED');
    await act(() => result.current.fetchSessions());
    await waitFor(() => expect(nextAuth.update).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(nextAuthSignOut()).not.toHaveBeenCalled();
  });

  it("another tab's revoke ('changed') makes this tab refetch", async () => {
    const api = stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const tab = otherTab();
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    api.sessions = [sessionJson('current')];
    tab.post({ type: 'changed' });
    await waitFor(() => expect(result.current.sessions).toHaveLength(1));
    tab.close();
  });

  it('ignores messages that are not sessionkit messages', async () => {
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const tab = otherTab();
    const { result } = renderHook(() => useSession());
    await waitFor(() => expect(result.current.sessions).toHaveLength(2));
    tab.post({ type: 'something-else' });
    tab.post('ended');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(nextAuthSignOut()).not.toHaveBeenCalled();
    expect(result.current.sessions).toHaveLength(2);
    tab.close();
  });
});
