// End to end against next-auth v5's real route handlers
// (`NextAuth(config).handlers.GET/POST`) with real `Request`s and a Credentials
// provider: sign in, read the session, revoke, read again.
import { inspect } from 'node:util';
import { DAY, isSessionId } from '@sessionkit/core';
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import Credentials from 'next-auth-v5/providers/credentials';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createSessionRouteHandlers, type TrackedSessionLike } from './route-handlers.js';
import { appWorld } from './test-utils/app-world.js';
import { clearsCookie } from './test-utils/cookie-jar.js';
import { signInWith, testUserOf } from './test-utils/credentials-world.js';
import { ORIGIN, V5_SESSION_COOKIE, V5Browser } from './test-utils/next-auth-v5.js';
import { withSessionTracking } from './with-session-tracking.js';

// This repo installs v5 as `next-auth-v5` (v4 is `next-auth`); in an app v5 is
// `next-auth`, whose `next-auth/jwt` the tracked decode loads.
vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

const TOKEN_SHAPED = /[A-Za-z0-9_-]{71}/;

function setup() {
  const app = appWorld();
  const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };
  const { manager, appJwt, appSession, appSignOut } = app;
  const config: NextAuthConfig = {
    secret: 'sessionkit-v5-test-secret-0123456789abcdef',
    trustHost: true,
    session: { strategy: 'jwt' },
    logger,
    providers: [
      Credentials({
        credentials: { username: {}, password: {} },
        authorize: async (credentials) => testUserOf(credentials),
      }),
    ],
    callbacks: { jwt: appJwt as never, session: appSession as never },
    events: { signOut: appSignOut as never },
  };
  // Lazy initialisation: the config sees the request, so getHeaders can read it
  // (App Router apps can also leave getHeaders out and let it read next/headers).
  // `config` is v5's type while this package type-checks against v4's: cast.
  const tracked = NextAuth(async (request) =>
    withSessionTracking(config as never, { manager, getHeaders: () => request?.headers }),
  );
  return {
    ...app,
    config,
    tracked,
    browser: () => new V5Browser(tracked.handlers as never),
    logger,
  };
}

type Setup = ReturnType<typeof setup>;

const signedIn = (s: Setup, username?: string) =>
  signInWith(s.browser(), { status: 302, cookie: V5_SESSION_COOKIE }, username);

describe('withSessionTracking on next-auth v5 (real handlers, Credentials provider)', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('sign-in creates a tracked session from the request and /api/auth/session exposes sessionId, expiresAt and user.id', async () => {
    const { browser, session } = await signedIn(s);
    expect(isSessionId(session.sessionId)).toBe(true);
    expect(session.user).toMatchObject({ id: 'user-1', name: 'ada' });

    const [tracked] = await s.manager.list('user-1');
    expect(tracked).toMatchObject({
      id: session.sessionId,
      status: 'ACTIVE',
      ipAddress: '203.0.113.9',
      deviceInfo: { type: 'mobile', os: 'Android', browser: 'Chrome' },
    });
    expect(session.expiresAt).toBe(tracked!.expiresAt.toISOString());

    const [token] = s.issuedTokens;
    expect(token).toMatch(TOKEN_SHAPED);
    const raw = JSON.stringify(session);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain('sessionkit');
    expect(browser.jar.get(V5_SESSION_COOKIE)).not.toContain(token);
  });

  it("keeps the app's own jwt and session callbacks running and their results", async () => {
    const { session } = await signedIn(s);
    expect(session.role).toBe('admin');
    expect(s.appJwt).toHaveBeenCalled();
    expect(s.appSession).toHaveBeenCalled();
  });

  it('a revoked session signs the user out on the next request and the session cookie is cleared', async () => {
    const { browser, session } = await signedIn(s);
    const stolen = browser.jar.get(V5_SESSION_COOKIE)!;

    expect(await s.manager.revoke(session.sessionId)).toBe(true);

    const after = await browser.session();
    expect(after.status).toBe(200);
    expect(after.body).toBeNull();
    expect(clearsCookie(after.setCookies, V5_SESSION_COOKIE)).toBe(true);
    expect(browser.jar.has(V5_SESSION_COOKIE)).toBe(false);
    // v5 got there by the tracked jwt.decode answering null: it logs "Invalid JWT" and cleans up
    expect(s.logger.error).toHaveBeenCalledTimes(1);
    expect(inspect(s.logger.error.mock.calls)).toContain('JWTSessionError');

    const replay = s.browser();
    replay.jar.apply([`${V5_SESSION_COOKIE}=${stolen}; Path=/`]);
    expect((await replay.session()).body).toBeNull();
  });

  it('auth(req, res) (Pages Router / API routes) returns null once the session is revoked', async () => {
    const { browser, session } = await signedIn(s);
    // Next.js sets x-forwarded-proto; without it v5 assumes https and __Secure- cookie names.
    const req = {
      headers: { ...Object.fromEntries(browser.headers()), 'x-forwarded-proto': 'http' },
    };
    const res = { headers: new Headers() };
    const auth = s.tracked.auth as unknown as (req: unknown, res: unknown) => Promise<unknown>;
    expect(await auth(req, res)).toMatchObject({
      sessionId: session.sessionId,
      user: { id: 'user-1' },
    });

    await s.manager.revoke(session.sessionId);
    const res2 = { headers: new Headers() };
    expect(await auth(req, res2)).toBeNull();
    expect(clearsCookie(res2.headers.getSetCookie(), V5_SESSION_COOKIE)).toBe(true);
  });

  it('an expired session signs the user out and is marked EXPIRED', async () => {
    const { browser, session } = await signedIn(s);
    s.advance(31 * DAY);
    const after = await browser.session();
    expect(after.body).toBeNull();
    expect(clearsCookie(after.setCookies, V5_SESSION_COOKIE)).toBe(true);
    expect((await s.manager.get(session.sessionId))?.status).toBe('EXPIRED');
  });

  it('signing in again issues a new session', async () => {
    const first = await signedIn(s);
    await s.manager.revoke(first.session.sessionId);
    await first.browser.session();

    await first.browser.signIn({ username: 'ada', password: 'correct horse' });
    const second = (await first.browser.session()).body as { sessionId: string };
    expect(isSessionId(second.sessionId)).toBe(true);
    expect(second.sessionId).not.toBe(first.session.sessionId);
    expect((await s.manager.get(second.sessionId))?.status).toBe('ACTIVE');
  });

  it('signing in again over a live session (Credentials) ends the old one as replaced', async () => {
    const first = await signedIn(s);
    const oldCookie = first.browser.jar.get(V5_SESSION_COOKIE)!;
    await first.browser.signIn({ username: 'ada', password: 'correct horse' });
    const second = (await first.browser.session()).body as { sessionId: string };
    expect(second.sessionId).not.toBe(first.session.sessionId);
    expect(await s.manager.get(first.session.sessionId)).toMatchObject({
      status: 'REVOKED',
      endReason: 'replaced',
    });
    const copy = s.browser();
    copy.jar.apply([`${V5_SESSION_COOKIE}=${oldCookie}; Path=/`]);
    expect((await copy.session()).body).toBeNull();
  });

  it('sign-out marks the session LOGGED_OUT and still runs the app signOut event', async () => {
    const { browser, session } = await signedIn(s);
    const out = await browser.signOut();
    expect(clearsCookie(out.setCookies, V5_SESSION_COOKIE)).toBe(true);
    expect(await s.manager.get(session.sessionId)).toMatchObject({
      status: 'LOGGED_OUT',
      endReason: 'logged_out',
    });
    expect(s.appSignOut).toHaveBeenCalledTimes(1);
    expect(s.appSignOut.mock.calls[0]![0]).toHaveProperty('token');
  });

  it('fails closed: when the store is down the user is signed out, never let through', async () => {
    const { browser } = await signedIn(s);
    s.setDown(true);
    const after = await browser.session();
    expect(after.body).toBeNull();
    expect(clearsCookie(after.setCookies, V5_SESSION_COOKIE)).toBe(true);
    const logged = inspect(s.logger.error.mock.calls, { depth: 6 });
    expect(logged).toContain('Session store failed');
    for (const token of s.issuedTokens) expect(logged).not.toContain(token);
  });

  it('refuses to sign in while the store is down (no untracked session cookie is issued)', async () => {
    s.setDown(true);
    const browser = s.browser();
    const response = await browser.signIn({ username: 'ada', password: 'correct horse' });
    expect(response.location).toContain('/api/auth/error');
    expect(browser.jar.has(V5_SESSION_COOKIE)).toBe(false);
  });

  it('does not honour a JWT without a tracked session (issued before tracking was on)', async () => {
    const plain = new V5Browser(NextAuth(s.config).handlers as never);
    await plain.signIn({ username: 'ada', password: 'correct horse' });
    expect((await plain.session()).body).toMatchObject({ user: { name: 'ada' } });

    const tracked = s.browser();
    tracked.jar.apply([`${V5_SESSION_COOKIE}=${plain.jar.get(V5_SESSION_COOKIE)}; Path=/`]);
    const after = await tracked.session();
    expect(after.body).toBeNull();
    expect(clearsCookie(after.setCookies, V5_SESSION_COOKIE)).toBe(true);
  });

  it('works on a plain config object too (not lazy), with getHeaders', async () => {
    let current: Headers | undefined;
    const { handlers } = NextAuth(
      withSessionTracking(s.config as never, { manager: s.manager, getHeaders: () => current }),
    );
    // What a middleware-less app could do: remember the request before handing it on.
    const remember = (handler: (r: never) => Promise<Response>) => (r: Request) => {
      current = r.headers;
      return handler(r as never);
    };
    const browser = new V5Browser({ GET: remember(handlers.GET), POST: remember(handlers.POST) });
    await browser.signIn({ username: 'grace', password: 'correct horse' });
    const { body } = await browser.session();
    expect(body).toMatchObject({ user: { id: 'user-2' } });
    const [tracked] = await s.manager.list('user-2');
    expect(tracked?.deviceInfo.browser).toBe('Chrome');
    await s.manager.revokeAll('user-2');
    expect((await browser.session()).body).toBeNull();
  });
});

describe('/api/sessions handlers over auth() (v5)', () => {
  it('lists, revokes another device (signed out on its next request) and answers 401 once the caller is revoked', async () => {
    const s = setup();
    const laptop = await signedIn(s);
    const phone = await signedIn(s);
    const auth = s.tracked.auth as unknown as (
      req: unknown,
      res: unknown,
    ) => Promise<TrackedSessionLike | null>;
    const { GET, DELETE, PATCH } = createSessionRouteHandlers({
      manager: s.manager,
      // auth(req, res) with the route's request; in an App Router route `() => auth()` reads next/headers
      getSession: (request) =>
        auth({ headers: Object.fromEntries(request.headers) }, { headers: new Headers() }),
    });
    const as = (browser: V5Browser, method: string, query = '') =>
      new Request(`${ORIGIN}/api/sessions${query}`, {
        method,
        headers: {
          cookie: browser.jar.header(),
          origin: ORIGIN,
          host: 'localhost:3000',
          'x-forwarded-proto': 'http',
        },
      });

    const list = (await (await GET(as(laptop.browser, 'GET'))).json()) as {
      sessions: { id: string }[];
      currentSessionId: string;
    };
    expect(list.currentSessionId).toBe(laptop.session.sessionId);
    expect(list.sessions).toHaveLength(2);
    expect((await PATCH(as(laptop.browser, 'PATCH'))).status).toBe(200);

    const revoked = await DELETE(
      as(laptop.browser, 'DELETE', `?sessionId=${phone.session.sessionId}`),
    );
    expect(await revoked.json()).toEqual({ revoked: 1 });
    const phoneAfter = await phone.browser.session();
    expect(phoneAfter.body).toBeNull();
    expect(clearsCookie(phoneAfter.setCookies, V5_SESSION_COOKIE)).toBe(true);

    await s.manager.revoke(laptop.session.sessionId);
    expect((await GET(as(laptop.browser, 'GET'))).status).toBe(401);
  });
});
