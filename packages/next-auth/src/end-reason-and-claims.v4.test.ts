// Issue 17 items 1 and 3 against next-auth v4's real Pages Router handler: the
// signed-out device learns why (a signed end-reason cookie), and marked
// sessions reload their claims without a sign-out.
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  END_REASON_COOKIE,
  readSessionEndReason,
  serializeEndReasonCookie,
} from './end-reason-cookie.js';
import { createPagesEndReasonHandler } from './end-reason-route.js';
import { appWorld } from './test-utils/app-world.js';
import { createFakeResponse, NextAuth, ORIGIN, V4Browser } from './test-utils/next-auth-v4.js';
import { withSessionTracking } from './with-session-tracking.js';

const SECRET = 'sessionkit-v4-test-secret-0123456789abcdef';

beforeAll(() => {
  vi.stubEnv('NEXTAUTH_URL', ORIGIN);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

function setup() {
  const app = appWorld();
  const refreshClaims = vi.fn(async ({ userId }: { userId: string }) => ({
    role: userId === 'user-1' ? 'viewer' : 'none',
  }));
  const authOptions: AuthOptions = {
    secret: SECRET,
    session: { strategy: 'jwt' },
    logger: { error: vi.fn(), warn: vi.fn(), debug: vi.fn() },
    providers: [
      CredentialsProvider({
        credentials: { username: { type: 'text' }, password: { type: 'password' } },
        async authorize(credentials) {
          if (credentials?.password !== 'correct horse') return null;
          return { id: 'user-1', name: credentials.username, role: 'admin' } as {
            id: string;
            name: string;
          };
        },
      }),
    ],
    callbacks: { jwt: app.appJwt as never, session: app.appSession as never },
  };
  // The Pages Router wiring the docs give: headers from req, cookies onto res.
  const handler = (
    req: { headers: Record<string, unknown> },
    res: { appendHeader(name: string, value: string): unknown },
  ) =>
    (NextAuth as unknown as (req: unknown, res: unknown, options: AuthOptions) => Promise<unknown>)(
      req,
      res,
      withSessionTracking(authOptions, {
        manager: app.manager,
        getHeaders: () => req.headers as Record<string, string>,
        setDeviceId: false,
        setEndReason: (cookie) => {
          res.appendHeader('Set-Cookie', serializeEndReasonCookie(cookie));
        },
        refreshClaims,
      }),
    );
  const endReasonRoute = createPagesEndReasonHandler({ secret: SECRET });
  return {
    ...app,
    refreshClaims,
    browser: () => new V4Browser(handler as never),
    /** GET or DELETE /api/sessions/end-reason from this browser. */
    async endReasonRoute(browser: V4Browser, method: 'GET' | 'DELETE') {
      const { res, result } = createFakeResponse();
      await endReasonRoute(browser.request(method, '/api/sessions/end-reason'), res as never);
      const captured = result();
      browser.jar.apply(captured.setCookies);
      return captured;
    },
  };
}

type Setup = ReturnType<typeof setup>;

async function signedIn(s: Setup) {
  const browser = s.browser();
  await browser.signIn({ username: 'ada', password: 'correct horse' });
  const { body } = await browser.session();
  return { browser, session: body as { sessionId: string; role?: string } };
}

describe('why was I signed out (next-auth v4)', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('revoked from device A: device B’s next request gets only the public reason, in a signed HttpOnly cookie', async () => {
    const a = await signedIn(s);
    const b = await signedIn(s);
    expect(b.browser.jar.has(END_REASON_COOKIE)).toBe(false);

    await s.manager.revoke(b.session.sessionId, { userId: 'user-1' });
    const after = await b.browser.session();
    expect(after.body).toEqual({});
    const set = after.setCookies.find((c) => c.startsWith(`${END_REASON_COOKIE}=`));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Max-Age=600/);
    // a code, never the session id, token or stored reason
    expect(set).toMatch(/^sessionkit\.end-reason=signed_out_elsewhere\.\d+\.[\w-]+;/);
    expect(set).not.toContain(b.session.sessionId);

    const reason = readSessionEndReason({ cookie: b.browser.jar.header() }, { secret: SECRET });
    expect(reason).toEqual({
      code: 'signed_out_elsewhere',
      message: 'You were signed out from another device.',
    });
    // device A, still signed in, is told nothing
    expect(a.browser.jar.has(END_REASON_COOKIE)).toBe(false);
    expect((await a.browser.session()).body).toMatchObject({ sessionId: a.session.sessionId });
    expect(a.browser.jar.has(END_REASON_COOKIE)).toBe(false);
  });

  it('the route answers the reason, clears it on DELETE, and a sign-in clears it too', async () => {
    const { browser, session } = await signedIn(s);
    await s.manager.revokeAll('user-1', { reason: 'password_changed' });
    await browser.session();
    expect(session.sessionId).toBeTruthy();
    const got = await s.endReasonRoute(browser, 'GET');
    expect(got.body).toEqual({
      endReason: {
        code: 'password_changed',
        message: 'Your password was changed, so you were signed out.',
      },
    });
    expect(got.headers['cache-control']).toBe('no-store');
    await s.endReasonRoute(browser, 'DELETE');
    expect(browser.jar.has(END_REASON_COOKIE)).toBe(false);
    expect((await s.endReasonRoute(browser, 'GET')).body).toEqual({ endReason: null });

    // again, then a fresh sign-in in the same browser clears it
    const second = await signedIn(s);
    await s.manager.revoke(second.session.sessionId, { reason: 'session_limit' });
    await second.browser.session();
    expect(second.browser.jar.has(END_REASON_COOKIE)).toBe(true);
    await second.browser.signIn({ username: 'ada', password: 'correct horse' });
    expect(second.browser.jar.has(END_REASON_COOKIE)).toBe(false);
  });

  it('an app’s own reason is the generic code; an expired session says so', async () => {
    const one = await signedIn(s);
    await s.manager.revoke(one.session.sessionId, { reason: 'fraud-team: chargeback #4411' });
    await one.browser.session();
    expect(
      readSessionEndReason({ cookie: one.browser.jar.header() }, { secret: SECRET })?.code,
    ).toBe('ended');
    expect(one.browser.jar.get(END_REASON_COOKIE)).not.toContain('fraud');

    const two = await signedIn(s);
    s.advance(31 * 24 * 60 * 60 * 1000);
    await two.browser.session();
    expect(
      readSessionEndReason({ cookie: two.browser.jar.header() }, { secret: SECRET })?.code,
    ).toBe('expired');
  });

  it('a forged, tampered or expired cookie reads as no reason', async () => {
    const { browser, session } = await signedIn(s);
    await s.manager.revoke(session.sessionId);
    await browser.session();
    const value = browser.jar.get(END_REASON_COOKIE) as string;
    const read = (v: string, now?: number) =>
      readSessionEndReason({ cookie: `${END_REASON_COOKIE}=${v}` }, { secret: SECRET, now });
    expect(read(value)?.code).toBe('signed_out_elsewhere');
    expect(read(value.replace('signed_out_elsewhere', 'security'))).toBeNull();
    expect(
      readSessionEndReason({ cookie: `${END_REASON_COOKIE}=${value}` }, { secret: 'x'.repeat(40) }),
    ).toBeNull();
    expect(read('security.99999999999999.AAAA')).toBeNull();
    expect(read(value, Date.now() + 11 * 60 * 1000)).toBeNull();
  });

  it('a browser that never had a session, or a stranger’s guess, learns nothing', async () => {
    const stranger = s.browser();
    await stranger.session();
    expect(stranger.jar.has(END_REASON_COOKIE)).toBe(false);
  });
});

describe('claims refresh without sign-out (next-auth v4)', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('requestRefresh(userId): the next read reloads the claims once and the session stays signed in', async () => {
    const { browser, session } = await signedIn(s);
    expect(session.role).toBe('admin');
    await browser.session();
    expect(s.refreshClaims).not.toHaveBeenCalled();

    expect(await s.manager.requestRefresh('user-1')).toBe(1);
    const after = await browser.session();
    expect(after.body).toMatchObject({ sessionId: session.sessionId, role: 'viewer' });
    expect(s.refreshClaims).toHaveBeenCalledTimes(1);
    expect(s.refreshClaims.mock.calls[0]?.[0]).toMatchObject({ userId: 'user-1' });

    // The refreshed JWT comes back: the mark is cleared, no second reload.
    expect((await browser.session()).body).toMatchObject({ role: 'viewer' });
    expect((await s.manager.get(session.sessionId))?.refreshRequestedAt).toBeUndefined();
    expect((await browser.session()).body).toMatchObject({ role: 'viewer' });
    expect(s.refreshClaims).toHaveBeenCalledTimes(1);
  });

  it('a reload whose cookie was never stored runs again (an old JWT never keeps stale claims)', async () => {
    const { browser, session } = await signedIn(s);
    const before = browser.jar.header();
    await s.manager.requestRefresh({ sessionId: session.sessionId });
    // A read whose Set-Cookie is dropped (e.g. a Server Component).
    const lost = s.browser();
    lost.jar.apply(before.split('; ').map((c) => `${c}; Path=/`));
    expect((await lost.session()).body).toMatchObject({ role: 'viewer' });
    // The mark is still there: the original browser, with the old JWT, reloads too.
    expect((await s.manager.get(session.sessionId))?.refreshRequestedAt).toBeInstanceOf(Date);
    expect((await browser.session()).body).toMatchObject({ role: 'viewer' });
    expect(s.refreshClaims).toHaveBeenCalledTimes(2);
  });

  it('refreshClaims that throws keeps the old claims, signs nobody out, and runs again next time', async () => {
    const { browser, session } = await signedIn(s);
    s.refreshClaims.mockRejectedValueOnce(new Error('db down'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await s.manager.requestRefresh('user-1');
    expect((await browser.session()).body).toMatchObject({
      sessionId: session.sessionId,
      role: 'admin',
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('refreshClaims failed'));
    warn.mockRestore();
    expect((await browser.session()).body).toMatchObject({ role: 'viewer' });
  });
});
