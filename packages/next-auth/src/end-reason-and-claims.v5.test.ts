// Issue 17 items 1 and 3 against next-auth v5's real App Router handlers.
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  END_REASON_COOKIE,
  type EndReasonCookie,
  serializeEndReasonCookie,
} from './end-reason-cookie.js';
import { createSessionEndReasonHandler } from './end-reason-route.js';
import { appWorld } from './test-utils/app-world.js';
import { credentialsConfigV5 } from './test-utils/credentials-config-v5.js';
import { ORIGIN, V5Browser } from './test-utils/next-auth-v5.js';
import { withSessionTracking } from './with-session-tracking.js';

// This repo installs v5 as `next-auth-v5`; in an app it is `next-auth`.
vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

const SECRET = 'sessionkit-v5-test-secret-0123456789abcdef';

type Handler = (request: Request) => Promise<Response>;

function setup() {
  const app = appWorld();
  const refreshClaims = vi.fn(async () => ({ role: 'viewer' }));
  const config: NextAuthConfig = {
    ...credentialsConfigV5(SECRET),
    callbacks: { jwt: app.appJwt as never, session: app.appSession as never },
  };
  // What `cookies().set()` does in a Route Handler: the cookies set while it
  // ran are added to its response. Requests run one at a time here.
  let pending: EndReasonCookie[] = [];
  const tracked = NextAuth(async (request) =>
    withSessionTracking(config as never, {
      manager: app.manager,
      getHeaders: () => request?.headers,
      setDeviceId: false,
      setEndReason: (cookie) => {
        pending.push(cookie);
      },
      refreshClaims,
    }),
  );
  const withCookies =
    (handler: Handler): Handler =>
    async (request) => {
      pending = [];
      const response = await handler(request);
      const headers = new Headers(response.headers);
      for (const cookie of pending) headers.append('set-cookie', serializeEndReasonCookie(cookie));
      return new Response(response.body, { status: response.status, headers });
    };
  const handlers = tracked.handlers as unknown as { GET: Handler; POST: Handler };
  const route = createSessionEndReasonHandler({ secret: SECRET });
  return {
    ...app,
    refreshClaims,
    browser: () =>
      new V5Browser({ GET: withCookies(handlers.GET), POST: withCookies(handlers.POST) }),
    async endReason(browser: V5Browser, method: 'GET' | 'DELETE' = 'GET') {
      const request = new Request(new URL('/api/sessions/end-reason', ORIGIN), {
        method,
        headers: browser.headers(method === 'DELETE' ? { origin: ORIGIN } : {}),
      });
      const response = await route[method](request);
      browser.jar.apply(response.headers.getSetCookie());
      return { status: response.status, body: await response.json() };
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

describe('why was I signed out (next-auth v5)', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('revoked from device A: device B’s next request learns the public reason, and only B', async () => {
    const a = await signedIn(s);
    const b = await signedIn(s);
    await s.manager.revoke(b.session.sessionId, { userId: 'user-1' });
    expect((await b.browser.session()).body).toBeNull();
    expect(await s.endReason(b.browser)).toEqual({
      status: 200,
      body: {
        endReason: {
          code: 'signed_out_elsewhere',
          message: 'You were signed out from another device.',
        },
      },
    });
    expect((await a.browser.session()).body).toMatchObject({ sessionId: a.session.sessionId });
    expect((await s.endReason(a.browser)).body).toEqual({ endReason: null });
  });

  it('"sign out everywhere", too many devices and reuse each get their own message; DELETE clears', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => s.manager.revokeAll('user-1', { reason: 'revoked_all' }), 'signed_out_everywhere'],
      [() => s.manager.revokeAll('user-1', { reason: 'session_limit' }), 'too_many_devices'],
      [() => s.manager.revokeAll('user-1', { reason: 'refresh_token_reuse' }), 'security'],
      [() => s.manager.revokeAll('user-1', { reason: 'idp_logout' }), 'idp_logout'],
    ];
    for (const [end, code] of cases) {
      const { browser } = await signedIn(s);
      await end();
      await browser.session();
      expect(
        ((await s.endReason(browser)).body as { endReason: { code: string } }).endReason.code,
      ).toBe(code);
      expect((await s.endReason(browser, 'DELETE')).status).toBe(200);
      expect(browser.jar.has(END_REASON_COOKIE)).toBe(false);
    }
  });

  it('a cross-site DELETE may not clear the reason', async () => {
    const { browser, session } = await signedIn(s);
    await s.manager.revoke(session.sessionId);
    await browser.session();
    const route = createSessionEndReasonHandler({ secret: SECRET });
    const response = await route.DELETE(
      new Request(new URL('/api/sessions/end-reason', ORIGIN), {
        method: 'DELETE',
        headers: browser.headers({ origin: 'https://evil.example' }),
      }),
    );
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('claims refresh without sign-out (next-auth v5)', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('requestRefresh({ sessionId }) reloads that session’s claims once, on its next read', async () => {
    const one = await signedIn(s);
    const two = await signedIn(s);
    expect(one.session.role).toBe('admin');
    expect(await s.manager.requestRefresh({ sessionId: one.session.sessionId })).toBe(1);

    expect((await one.browser.session()).body).toMatchObject({
      sessionId: one.session.sessionId,
      role: 'viewer',
    });
    expect((await two.browser.session()).body).toMatchObject({ role: 'admin' });
    expect((await one.browser.session()).body).toMatchObject({ role: 'viewer' });
    expect(s.refreshClaims).toHaveBeenCalledTimes(1);
    expect((await s.manager.get(one.session.sessionId))?.refreshRequestedAt).toBeUndefined();
  });
});
