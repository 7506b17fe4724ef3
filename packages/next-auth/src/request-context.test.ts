import { createMemoryStore, createSessionManager } from '@sessionkit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Jwt = (params: Record<string, unknown>) => Promise<Record<string, unknown> | null>;

async function signInWithDefaultHeaders() {
  const { withSessionTracking } = await import('./with-session-tracking.js');
  type Options = Parameters<typeof withSessionTracking>[0];
  const manager = createSessionManager({ store: createMemoryStore(), trustProxy: 1 });
  const tracked = withSessionTracking({} as Options, { manager });
  const jwt = tracked.callbacks!.jwt as unknown as Jwt;
  await jwt({ token: { sub: 'u1' }, user: { id: 'u1' }, trigger: 'signIn' });
  return (await manager.list('u1'))[0]!;
}

describe('default getHeaders (next/headers)', () => {
  afterEach(() => {
    vi.doUnmock('next/headers.js');
    vi.resetModules();
    vi.restoreAllMocks();
  });

  it('reads the request headers through next/headers, awaiting the async headers() of Next 15+', async () => {
    const headers = vi.fn(
      async () =>
        new Headers({
          'user-agent': 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) Mobile/15E148',
          'x-forwarded-for': '192.0.2.44',
        }),
    );
    vi.doMock('next/headers.js', () => ({ headers }));
    const session = await signInWithDefaultHeaders();
    expect(headers).toHaveBeenCalledTimes(1);
    expect(session).toMatchObject({
      ipAddress: '192.0.2.44',
      userAgent: expect.stringContaining('iPad'),
    });
  });

  it('also takes the sync headers() of Next 14', async () => {
    vi.doMock('next/headers.js', () => ({
      headers: () => new Headers({ 'x-forwarded-for': '192.0.2.45' }),
    }));
    expect((await signInWithDefaultHeaders()).ipAddress).toBe('192.0.2.45');
  });

  it('outside a Next.js request it still signs in, untracked device, and warns once how to fix it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The real next/headers: headers() throws outside a request scope.
    const session = await signInWithDefaultHeaders();
    expect(session).toMatchObject({ status: 'ACTIVE', ipAddress: null, userAgent: null });
    await signInWithDefaultHeaders().catch(() => {});
    const about = (word: string) => warn.mock.calls.filter((c) => String(c[0]).includes(word));
    expect(about('getHeaders')).toHaveLength(1);
    // The rotated device-id cookie cannot be set there either (issue 20): said once.
    expect(about('setDeviceId')).toHaveLength(1);
  });
});
