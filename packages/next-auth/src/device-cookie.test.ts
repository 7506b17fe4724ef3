import { createMemoryStore, createSessionManager, type SessionManager } from '@sessionkit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withSessionTracking } from './with-session-tracking.js';

// Issue 20: the device id rotates on every sign-in, so the integration must
// store the new one each time, under `__Host-` when the app is on https.
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

type Jwt = (params: Record<string, unknown>) => Promise<unknown>;

function tracked(
  manager: SessionManager,
  cookie: () => string,
  setDeviceId: ReturnType<typeof vi.fn>,
) {
  const options = withSessionTracking(
    { session: { strategy: 'jwt' as const } },
    {
      manager,
      getHeaders: () => new Headers({ 'user-agent': UA, cookie: cookie() }),
      setDeviceId,
    },
  );
  const jwt = (options as { callbacks?: { jwt?: unknown } }).callbacks?.jwt as Jwt;
  return () => jwt({ token: { sub: 'u1' }, user: { id: 'u1' }, trigger: 'signIn' });
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.doUnmock('next/headers.js');
});

describe('device-id cookie at sign-in', () => {
  it('sets a new device id after every sign-in; the previous one is not recognised again', async () => {
    vi.stubEnv('NEXTAUTH_URL', 'https://app.example.com');
    const manager = createSessionManager({ store: createMemoryStore() });
    const newDevice = vi.fn();
    manager.on('newDevice', newDevice);
    let jar = '';
    const setDeviceId = vi.fn((c: { name: string; value: string }) => {
      jar = `${c.name}=${c.value}`;
    });
    const signIn = tracked(manager, () => jar, setDeviceId);
    await signIn();
    const first = setDeviceId.mock.calls[0]?.[0] as { value: string };
    expect(first).toMatchObject({
      name: '__Host-sessionkit.device-id',
      options: { secure: true, httpOnly: true, path: '/' },
    });
    await signIn();
    const second = setDeviceId.mock.calls[1]?.[0] as { value: string };
    expect(second.value).not.toBe(first.value);
    expect(newDevice).toHaveBeenCalledTimes(1);
    jar = `__Host-sessionkit.device-id=${first.value}`; // a copy of the old id
    await signIn();
    expect(newDevice).toHaveBeenCalledTimes(2);
  });

  it('uses the plain name on http and next/headers cookies() by default', async () => {
    vi.stubEnv('NEXTAUTH_URL', 'http://127.0.0.1:3000');
    const set = vi.fn();
    vi.doMock('next/headers.js', () => ({ cookies: async () => ({ set }) }));
    const manager = createSessionManager({ store: createMemoryStore() });
    const options = withSessionTracking(
      { session: { strategy: 'jwt' as const } },
      { manager, getHeaders: () => new Headers({ 'user-agent': UA }) },
    );
    const jwt = (options as { callbacks?: { jwt?: unknown } }).callbacks?.jwt as Jwt;
    await jwt({
      token: {},
      user: { id: 'u1' },
      trigger: 'signIn',
    });
    expect(set).toHaveBeenCalledTimes(1);
    expect(set.mock.calls[0]?.[0]).toBe('sessionkit.device-id');
    expect(set.mock.calls[0]?.[2]).toMatchObject({ secure: false, httpOnly: true });
  });

  it('on https it sets the __Host- cookie and drops the plain one', async () => {
    vi.stubEnv('NEXTAUTH_URL', 'https://app.example.com');
    const set = vi.fn();
    const del = vi.fn();
    vi.doMock('next/headers.js', () => ({
      cookies: async () => ({
        set,
        delete: del,
        has: (name: string) => name === 'sessionkit.device-id',
      }),
    }));
    const manager = createSessionManager({ store: createMemoryStore() });
    const options = withSessionTracking(
      { session: { strategy: 'jwt' as const } },
      { manager, getHeaders: () => new Headers({ 'user-agent': UA }) },
    );
    const jwt = (options as { callbacks?: { jwt?: unknown } }).callbacks?.jwt as Jwt;
    await jwt({ token: {}, user: { id: 'u1' }, trigger: 'signIn' });
    expect(set.mock.calls[0]?.[0]).toBe('__Host-sessionkit.device-id');
    expect(set.mock.calls[0]?.[2]).toMatchObject({ secure: true, path: '/' });
    expect(del).toHaveBeenCalledWith('sessionkit.device-id');
  });

  it('refuses a setDeviceId that is not a function', () => {
    const manager = createSessionManager({ store: createMemoryStore() });
    expect(() =>
      withSessionTracking(
        { session: { strategy: 'jwt' as const } },
        { manager, setDeviceId: 'yes' as never },
      ),
    ).toThrow(/setDeviceId/);
  });
});
