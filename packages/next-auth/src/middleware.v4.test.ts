// next-auth v4 middleware with the real `withAuth` (next-auth/middleware) and
// `getToken`: a revoked session is redirected on its very next request.
import { SessionStoreError } from '@sessionkit/core';
import { NextRequest } from 'next/server';
import type { AuthOptions } from 'next-auth';
import { withAuth } from 'next-auth/middleware';
import CredentialsProvider from 'next-auth/providers/credentials';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { END_REASON_COOKIE, readSessionEndReason } from './end-reason-cookie.js';
import { getTrackedToken, withSessionCheck } from './middleware.js';
import { appWorld } from './test-utils/app-world.js';
import { NextAuth, ORIGIN, V4Browser } from './test-utils/next-auth-v4.js';
import { withSessionTracking } from './with-session-tracking.js';

const SECRET = 'sessionkit-v4-middleware-secret-0123456789';

beforeAll(() => {
  vi.stubEnv('NEXTAUTH_URL', ORIGIN);
  vi.stubEnv('NEXTAUTH_SECRET', SECRET);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

async function signedIn() {
  const app = appWorld();
  const authOptions: AuthOptions = withSessionTracking(
    {
      secret: SECRET,
      session: { strategy: 'jwt' },
      providers: [
        CredentialsProvider({
          credentials: { username: { type: 'text' } },
          async authorize(credentials) {
            return { id: 'user-1', name: credentials?.username ?? 'ada' };
          },
        }),
      ],
    },
    { manager: app.manager, getHeaders: () => null },
  );
  const browser = new V4Browser(((req: unknown, res: unknown) =>
    (NextAuth as unknown as (a: unknown, b: unknown, c: AuthOptions) => Promise<unknown>)(
      req,
      res,
      authOptions,
    )) as never);
  await browser.signIn({ username: 'ada' });
  const { sessionId } = (await browser.session()).body as { sessionId: string };
  const page = (path = '/dashboard') =>
    new NextRequest(new URL(path, ORIGIN), { headers: { cookie: browser.jar.header() } });
  return { ...app, authOptions, sessionId, page };
}

const event = {} as never;

describe('withSessionCheck (next-auth v4 withAuth + the store)', () => {
  it('lets a live session through and redirects a revoked one to sign-in on its very next request', async () => {
    const s = await signedIn();
    const guard = withSessionCheck({ manager: s.manager });
    expect(await guard(s.page(), event)).toBeUndefined();

    await s.manager.revoke(s.sessionId);
    const response = (await guard(s.page('/dashboard?tab=1'), event)) as Response;
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get('location')!);
    expect(location.pathname).toBe('/api/auth/signin');
    expect(location.searchParams.get('callbackUrl')).toBe('/dashboard?tab=1');
  });

  it('plain withAuth lets the same revoked session through: that is the hole it closes', async () => {
    const s = await signedIn();
    await s.manager.revoke(s.sessionId);
    expect(await withAuth({})(s.page() as never, event)).toBeUndefined();
  });

  it('runs the app middleware with the verified token, only while the session is live, and honours pages.signIn', async () => {
    const s = await signedIn();
    const inner = vi.fn((req: { nextauth: { token: Record<string, unknown> | null } }) => {
      expect(req.nextauth.token?.sub).toBe('user-1');
      return undefined;
    });
    const guard = withSessionCheck(inner, { manager: s.manager, pages: { signIn: '/login' } });
    await guard(s.page(), event);
    expect(inner).toHaveBeenCalledTimes(1);

    await s.manager.revoke(s.sessionId);
    const response = (await guard(s.page(), event)) as Response;
    expect(new URL(response.headers.get('location')!).pathname).toBe('/login');
    expect(inner).toHaveBeenCalledTimes(1);
  });

  it('fails closed: a store that cannot answer redirects to sign-in', async () => {
    const s = await signedIn();
    const guard = withSessionCheck({ manager: s.manager });
    s.setDown(true);
    const response = (await guard(s.page(), event)) as Response;
    expect(response.status).toBe(307);
  });
});

describe('getTrackedToken (next-auth v4 getToken + the store)', () => {
  it('returns the token while the session is live and null once it is revoked', async () => {
    const s = await signedIn();
    expect(await getTrackedToken({ req: s.page(), manager: s.manager })).toMatchObject({
      sub: 'user-1',
    });
    await s.manager.revoke(s.sessionId);
    expect(await getTrackedToken({ req: s.page(), manager: s.manager })).toBeNull();
  });

  it('fails closed when the store is down, and refuses a missing manager with a fix-it error', async () => {
    const s = await signedIn();
    s.setDown(true);
    expect(await getTrackedToken({ req: s.page(), manager: s.manager })).toBeNull();
    await expect(getTrackedToken({ req: s.page() } as never)).rejects.toThrow(/manager/);
    // the tracked decode itself rejects: getToken turns that into null
    await expect(
      s.authOptions.jwt!.decode!({
        token: s.page().cookies.get('next-auth.session-token')!.value,
        secret: SECRET,
      }),
    ).rejects.toThrow(SessionStoreError);
  });
});

describe('withSessionCheck tells the signed-out device why', () => {
  it('adds the signed end-reason cookie to its redirect for an ended session, and nothing for a live one', async () => {
    const s = await signedIn();
    const guard = withSessionCheck({ manager: s.manager, pages: { signIn: '/login' } });
    expect(await guard(s.page(), event)).toBeUndefined();

    await s.manager.revokeAll('user-1', { reason: 'password_changed' });
    const response = (await guard(s.page(), event)) as Response;
    expect(response.status).toBe(307);
    const set = response.headers.getSetCookie().find((c) => c.startsWith(`${END_REASON_COOKIE}=`));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Max-Age=600/);
    expect(set).not.toContain(s.sessionId);
    const cookie = String(set).split(';')[0];
    expect(readSessionEndReason({ cookie }, { secret: SECRET })?.code).toBe('password_changed');

    // A browser without a session is redirected without one.
    const stranger = (await guard(
      new NextRequest(new URL('/dashboard', ORIGIN)),
      event,
    )) as Response;
    expect(stranger.status).toBe(307);
    expect(stranger.headers.getSetCookie()).toEqual([]);
  });
});
