// next-auth v5: `auth` as middleware (`export { auth as middleware }` with an
// `authorized` callback, and `auth((req) => …)`) runs the session action, whose
// tracked jwt.decode checks the store: a revoked session is signed out on its
// very next request.
import { NextRequest } from 'next/server';
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import Credentials from 'next-auth-v5/providers/credentials';
import { describe, expect, it, vi } from 'vitest';
import { appWorld } from './test-utils/app-world.js';
import { ORIGIN, V5Browser } from './test-utils/next-auth-v5.js';
import { withSessionTracking } from './with-session-tracking.js';

// This repo installs v5 as `next-auth-v5`; in an app it is `next-auth`.
vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

type Middleware = (req: NextRequest, event: unknown) => Promise<Response | undefined>;

async function signedIn() {
  const app = appWorld();
  const config: NextAuthConfig = {
    secret: 'sessionkit-v5-middleware-secret-0123456789',
    trustHost: true,
    session: { strategy: 'jwt' },
    logger: { error: vi.fn(), warn: vi.fn(), debug: vi.fn() },
    pages: { signIn: '/login' },
    providers: [
      Credentials({
        credentials: { username: {} },
        authorize: async (credentials) => ({ id: 'user-1', name: String(credentials.username) }),
      }),
    ],
    callbacks: {
      // what `export { auth as middleware }` consults
      authorized: ({ auth }) => !!auth,
    },
  };
  const tracked = NextAuth(
    withSessionTracking(config as never, { manager: app.manager, getHeaders: () => null }),
  );
  const browser = new V5Browser(tracked.handlers as never);
  await browser.signIn({ username: 'ada' });
  const { sessionId } = (await browser.session()).body as { sessionId: string };
  const page = (path = '/dashboard') =>
    new NextRequest(new URL(path, ORIGIN), {
      // Next.js sets x-forwarded-proto; without it v5 assumes https and __Secure- cookie names.
      headers: { cookie: browser.jar.header(), 'x-forwarded-proto': 'http' },
    });
  return { ...app, auth: tracked.auth, sessionId, page };
}

const event = {} as never;

describe('next-auth v5 auth as middleware', () => {
  it('export { auth as middleware }: a revoked session is redirected to sign-in on its very next request', async () => {
    const s = await signedIn();
    const middleware = s.auth as unknown as Middleware;
    const live = await middleware(s.page(), event);
    expect(live?.headers.get('location') ?? null).toBeNull();

    await s.manager.revoke(s.sessionId);
    const response = await middleware(s.page('/dashboard?tab=1'), event);
    expect(response?.status).toBe(307);
    const location = new URL(response!.headers.get('location')!);
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('callbackUrl')).toBe(`${ORIGIN}/dashboard?tab=1`);
  });

  it('auth((req) => …): req.auth is null for a revoked session on its very next request', async () => {
    const s = await signedIn();
    const seen: unknown[] = [];
    const middleware = (
      s.auth as unknown as (fn: (req: { auth: unknown }) => unknown) => Middleware
    )((req) => {
      seen.push(req.auth);
      if (!req.auth) return Response.redirect(new URL('/login', ORIGIN));
      return undefined;
    });
    // v5 answers NextResponse.next() (refreshing the cookie): no redirect
    expect((await middleware(s.page(), event))?.headers.get('location') ?? null).toBeNull();
    expect(seen[0]).toMatchObject({ sessionId: s.sessionId, user: { id: 'user-1' } });

    await s.manager.revoke(s.sessionId);
    const response = await middleware(s.page(), event);
    expect(seen[1]).toBeNull();
    expect(response?.headers.get('location')).toBe(`${ORIGIN}/login`);
  });

  it('fails closed: a store that cannot answer signs the request out', async () => {
    const s = await signedIn();
    s.setDown(true);
    const response = await (s.auth as unknown as Middleware)(s.page(), event);
    expect(new URL(response!.headers.get('location')!).pathname).toBe('/login');
  });
});
