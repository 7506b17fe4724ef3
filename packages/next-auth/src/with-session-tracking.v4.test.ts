// End to end against next-auth v4's real handler (`NextAuth(req, res, options)`)
// with a Credentials provider: sign in, read the session, revoke, read again.
import { DAY, isSessionId, type SessionManager, SessionStoreError } from '@sessionkit/core';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSessionRouteHandlers, type TrackedSessionLike } from './route-handlers.js';
import { appWorld } from './test-utils/app-world.js';
import { clearsCookie } from './test-utils/cookie-jar.js';
import { signInWith, testUserOf } from './test-utils/credentials-world.js';
import {
  createFakeResponse,
  getServerSession,
  NextAuth,
  ORIGIN,
  V4_SESSION_COOKIE,
  V4Browser,
} from './test-utils/next-auth-v4.js';
import { withSessionTracking } from './with-session-tracking.js';

const TOKEN_SHAPED = /[A-Za-z0-9_-]{71}/;

const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };

beforeAll(() => {
  vi.stubEnv('NEXTAUTH_URL', ORIGIN);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

interface Setup {
  manager: SessionManager;
  setDown(down: boolean): void;
  advance(ms: number): void;
  authOptions: AuthOptions;
  tracked(getHeaders?: () => unknown): AuthOptions;
  browser(userAgent?: string, ip?: string): V4Browser;
  appJwt: ReturnType<typeof vi.fn>;
  appSession: ReturnType<typeof vi.fn>;
  appSignOut: ReturnType<typeof vi.fn>;
  /** Every token manager.create() handed out, to prove none leaks. */
  issuedTokens: string[];
}

function setup(extra: Parameters<typeof appWorld>[0] = {}): Setup {
  const app = appWorld(extra);
  const { manager, appJwt, appSession, appSignOut } = app;
  const authOptions: AuthOptions = {
    secret: 'sessionkit-v4-test-secret-0123456789abcdef',
    session: { strategy: 'jwt' },
    logger,
    providers: [
      CredentialsProvider({
        credentials: { username: { type: 'text' }, password: { type: 'password' } },
        authorize: async (credentials) => testUserOf(credentials),
      }),
    ],
    callbacks: { jwt: appJwt as never, session: appSession as never },
    events: { signOut: appSignOut },
  };
  const tracked = (getHeaders?: () => unknown) =>
    withSessionTracking(authOptions, {
      manager,
      ...(getHeaders ? { getHeaders: getHeaders as () => undefined } : {}),
    });
  // The Pages Router wiring from the docs: the handler passes its own request's headers.
  const handler = (req: { headers: Record<string, unknown> }, res: unknown) =>
    (NextAuth as unknown as (req: unknown, res: unknown, options: AuthOptions) => Promise<unknown>)(
      req,
      res,
      tracked(() => req.headers),
    );
  return {
    ...app,
    authOptions,
    tracked,
    browser: (ua, ip) => new V4Browser(handler as never, ua, ip),
  };
}

const signedIn = (s: Setup, username?: string) =>
  signInWith(s.browser(), { status: 200, cookie: V4_SESSION_COOKIE }, username);

describe('withSessionTracking on next-auth v4 (real handler, Credentials provider)', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
    logger.error.mockClear();
  });

  it('sign-in creates a tracked session from the request and /api/auth/session exposes sessionId, expiresAt and user.id', async () => {
    const { browser, session } = await signedIn(s);
    expect(isSessionId(session.sessionId)).toBe(true);
    expect(session.user).toMatchObject({ id: 'user-1', name: 'ada' });

    const [tracked] = await s.manager.list('user-1');
    expect(tracked).toMatchObject({
      id: session.sessionId,
      status: 'ACTIVE',
      ipAddress: '198.51.100.23',
      deviceInfo: { browser: 'Safari', os: 'Mac OS' },
    });
    expect(session.expiresAt).toBe(tracked!.expiresAt.toISOString());

    // never the token, nor the claim that carries it
    const raw = JSON.stringify(session);
    expect(raw).not.toMatch(TOKEN_SHAPED);
    expect(raw).not.toContain('sessionkit');
    // the cookie is NextAuth's encrypted JWT: the token is not readable from it
    const [token] = s.issuedTokens;
    expect(token).toMatch(TOKEN_SHAPED);
    expect(browser.jar.get(V4_SESSION_COOKIE)).not.toContain(token);
    expect(browser.jar.get(V4_SESSION_COOKIE)).not.toContain(session.sessionId);
  });

  it("keeps the app's own jwt and session callbacks running and their results", async () => {
    const { session } = await signedIn(s);
    expect(session.role).toBe('admin');
    expect(s.appJwt).toHaveBeenCalled();
    expect(s.appSession).toHaveBeenCalled();
  });

  it('a revoked session signs the user out on the next request and the session cookie is cleared', async () => {
    const { browser, session } = await signedIn(s);
    const stolenCookies = browser.jar.header();

    expect(await s.manager.revoke(session.sessionId)).toBe(true);

    const after = await browser.session();
    expect(after.status).toBe(200);
    expect(after.body).toEqual({});
    expect(clearsCookie(after.setCookies, V4_SESSION_COOKIE)).toBe(true);
    expect(browser.jar.has(V4_SESSION_COOKIE)).toBe(false);
    // how v4 got there: the tracked jwt.decode answered null ("JWT invalid"), v4 logged it and cleaned the cookie
    expect(logger.error).toHaveBeenCalledWith(
      'JWT_SESSION_ERROR',
      expect.objectContaining({ message: 'JWT invalid' }),
    );

    // a copy of the old cookie is no better
    const replay = s.browser();
    replay.jar.apply(stolenCookies.split('; ').map((c) => `${c}; Path=/`));
    expect((await replay.session()).body).toEqual({});
    expect(browser.jar.has(V4_SESSION_COOKIE)).toBe(false);
  });

  it('getServerSession(req, res, authOptions) returns null once the session is revoked', async () => {
    const { browser, session } = await signedIn(s);
    const options = s.tracked(() => ({}));
    expect((await browser.serverSession(options)).session).toMatchObject({
      sessionId: session.sessionId,
      user: { id: 'user-1' },
    });

    await s.manager.revoke(session.sessionId);
    const after = await browser.serverSession(options);
    expect(after.session).toBeNull();
    expect(clearsCookie(after.setCookies, V4_SESSION_COOKIE)).toBe(true);
  });

  it('a session update (useSession().update(), trigger "update") is validated too', async () => {
    const { browser, session } = await signedIn(s);
    const update = async () => {
      const csrf = await browser.send('GET', '/api/auth/csrf');
      const { csrfToken } = csrf.body as { csrfToken: string };
      return browser.send('POST', '/api/auth/session', { csrfToken, data: '{}' });
    };
    expect((await update()).body).toMatchObject({ sessionId: session.sessionId });
    await s.manager.revoke(session.sessionId);
    const after = await update();
    expect(after.body).toEqual({});
    expect(clearsCookie(after.setCookies, V4_SESSION_COOKIE)).toBe(true);
  });

  it('an expired session signs the user out and is marked EXPIRED', async () => {
    const { browser, session } = await signedIn(s);
    s.advance(31 * DAY);
    const after = await browser.session();
    expect(after.body).toEqual({});
    expect(clearsCookie(after.setCookies, V4_SESSION_COOKIE)).toBe(true);
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
    expect((await s.manager.get(first.session.sessionId))?.status).toBe('REVOKED');
    expect((await s.manager.get(second.sessionId))?.status).toBe('ACTIVE');
  });

  it('signing in again over a live session (Credentials) ends the old one as replaced', async () => {
    const first = await signedIn(s);
    const oldCookie = first.browser.jar.get(V4_SESSION_COOKIE)!;
    await first.browser.signIn({ username: 'ada', password: 'correct horse' });
    const second = (await first.browser.session()).body as { sessionId: string };
    expect(second.sessionId).not.toBe(first.session.sessionId);
    expect(await s.manager.get(first.session.sessionId)).toMatchObject({
      status: 'REVOKED',
      endReason: 'replaced',
    });
    const copy = s.browser();
    copy.jar.apply([`${V4_SESSION_COOKIE}=${oldCookie}; Path=/`]);
    expect((await copy.session()).body).toEqual({});
  });

  it('sign-out marks the session LOGGED_OUT and still runs the app signOut event', async () => {
    const { browser, session } = await signedIn(s);
    const out = await browser.signOut();
    expect(clearsCookie(out.setCookies, V4_SESSION_COOKIE)).toBe(true);
    const ended = await s.manager.get(session.sessionId);
    expect(ended).toMatchObject({ status: 'LOGGED_OUT', endReason: 'logged_out' });
    expect(s.appSignOut).toHaveBeenCalledTimes(1);
  });

  it('fails closed: when the store is down the user is signed out, never let through', async () => {
    const { browser } = await signedIn(s);
    s.setDown(true);
    const after = await browser.session();
    expect(after.body).toEqual({});
    expect(clearsCookie(after.setCookies, V4_SESSION_COOKIE)).toBe(true);
    // and no token or hash in what got logged
    expect(JSON.stringify(logger.error.mock.calls.map((c) => String(c[1])))).not.toMatch(
      TOKEN_SHAPED,
    );
  });

  it('refuses to sign in while the store is down (no untracked session cookie is issued)', async () => {
    s.setDown(true);
    const browser = s.browser();
    // v4's Credentials callback does not catch jwt callback errors: Next.js answers 500.
    await expect(browser.signIn({ username: 'ada', password: 'correct horse' })).rejects.toThrow(
      SessionStoreError,
    );
    expect(browser.jar.has(V4_SESSION_COOKIE)).toBe(false);
  });

  it('does not honour a JWT without a tracked session (issued before tracking was on)', async () => {
    // Same secret, no tracking: an old-style cookie.
    const plain = new V4Browser(((req: unknown, res: unknown) =>
      (NextAuth as unknown as (a: unknown, b: unknown, c: AuthOptions) => Promise<unknown>)(
        req,
        res,
        s.authOptions,
      )) as never);
    await plain.signIn({ username: 'ada', password: 'correct horse' });
    expect((await plain.session()).body).toMatchObject({ user: { name: 'ada' } });

    const tracked = s.browser();
    tracked.jar.apply([`${V4_SESSION_COOKIE}=${plain.jar.get(V4_SESSION_COOKIE)}; Path=/`]);
    const after = await tracked.session();
    expect(after.body).toEqual({});
    expect(clearsCookie(after.setCookies, V4_SESSION_COOKIE)).toBe(true);
  });

  it("revoking one user's session leaves another user's signed in", async () => {
    const ada = await signedIn(s, 'ada');
    const grace = await signedIn(s, 'grace');
    await s.manager.revoke(ada.session.sessionId);
    expect((await ada.browser.session()).body).toEqual({});
    expect((await grace.browser.session()).body).toMatchObject({ user: { id: 'user-2' } });
  });
});

describe('/api/sessions handlers over getServerSession (v4)', () => {
  it('lists, revokes another device (signed out on its next request) and answers 401 once the caller is revoked', async () => {
    const s = setup();
    const laptop = await signedIn(s);
    const phone = await signedIn(s);
    const authOptions = s.tracked(() => ({}));
    const { GET, DELETE } = createSessionRouteHandlers({
      manager: s.manager,
      // getServerSession(req, res, authOptions) with the route's request, as in a Pages API route
      getSession: (request) => {
        const { res } = createFakeResponse();
        const req = {
          headers: Object.fromEntries(request.headers),
          cookies: Object.fromEntries(
            (request.headers.get('cookie') ?? '')
              .split('; ')
              .filter(Boolean)
              .map((c) => [
                c.slice(0, c.indexOf('=')),
                decodeURIComponent(c.slice(c.indexOf('=') + 1)),
              ]),
          ),
        };
        return (getServerSession as (...args: unknown[]) => Promise<TrackedSessionLike | null>)(
          req,
          res,
          authOptions,
        );
      },
    });
    const as = (browser: V4Browser, method: string, query = '') =>
      new Request(`${ORIGIN}/api/sessions${query}`, {
        method,
        headers: { cookie: browser.jar.header(), origin: ORIGIN },
      });

    const list = (await (await GET(as(laptop.browser, 'GET'))).json()) as {
      sessions: { id: string }[];
      currentSessionId: string;
    };
    expect(list.currentSessionId).toBe(laptop.session.sessionId);
    expect(list.sessions.map((x) => x.id).sort()).toEqual(
      [laptop.session.sessionId, phone.session.sessionId].sort(),
    );

    const revoked = await DELETE(
      as(laptop.browser, 'DELETE', `?sessionId=${phone.session.sessionId}`),
    );
    expect(await revoked.json()).toEqual({ revoked: 1 });
    const phoneAfter = await phone.browser.session();
    expect(phoneAfter.body).toEqual({});
    expect(clearsCookie(phoneAfter.setCookies, V4_SESSION_COOKIE)).toBe(true);

    await s.manager.revoke(laptop.session.sessionId);
    const denied = await GET(as(laptop.browser, 'GET'));
    expect(denied.status).toBe(401);
    expect(denied.headers.get('cache-control')).toBe('no-store');
  });
});

describe('challenge on a risky sign-in through next-auth v4 (issue 17)', () => {
  it('session.verificationRequired is true after a risky sign-in and gone on the read after markVerified()', async () => {
    // Every sign-in after the first within an hour is risky (a burst of 2).
    const s = setup({
      suspiciousLogin: {
        policy: 'challenge',
        newCountry: false,
        maxTravelSpeedKmh: false,
        burst: { maxLogins: 1, windowMs: 60 * 60_000 },
      },
    });
    const calm = await signedIn(s);
    expect(calm.session.verificationRequired).toBeUndefined();
    s.advance(1000);
    const { browser, session } = await signedIn(s);
    expect(session.verificationRequired).toBe(true);
    expect((await browser.session()).body).toMatchObject({ verificationRequired: true });

    await s.manager.markVerified(session.sessionId, { method: 'totp', userId: 'user-1' });
    const after = (await browser.session()).body as Record<string, unknown>;
    expect(after.sessionId).toBe(session.sessionId);
    expect(after.verificationRequired).toBeUndefined();
  });
});
