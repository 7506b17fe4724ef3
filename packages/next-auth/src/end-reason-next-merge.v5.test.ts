// Issue 17 item 1 under next-auth v5 with the DEFAULT setEndReason, run the way
// Next.js runs a Route Handler (its real request store, `cookies()` jar and
// Set-Cookie merge; see test-utils/next-route-scope.ts). The merge re-parses the
// handler's Set-Cookie headers and loses `Max-Age=0`: a cookie written while
// next-auth deletes the session cookie used to leave that cookie behind, emptied.
// First: Next's request storages need AsyncLocalStorage on globalThis when they load.
import './test-utils/next-async-local-storage.js';
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { END_REASON_COOKIE } from './end-reason-cookie.js';
import { createSessionEndReasonHandler } from './end-reason-route.js';
import { appWorld } from './test-utils/app-world.js';
import { credentialsConfigV5 } from './test-utils/credentials-config-v5.js';
import { ORIGIN, V5_SESSION_COOKIE, V5Browser } from './test-utils/next-auth-v5.js';
import { inNextRoute } from './test-utils/next-route-scope.js';
import { withSessionTracking } from './with-session-tracking.js';

vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

const SECRET = 'sessionkit-v5-merge-test-secret-0123456789';

type Handler = (request: Request) => Promise<Response>;

function setup() {
  const app = appWorld();
  const config: NextAuthConfig = credentialsConfigV5(SECRET);
  // No setEndReason: the default, cookies() from next/headers.
  const nextAuth = NextAuth(async (request) =>
    withSessionTracking(config as never, {
      manager: app.manager,
      getHeaders: () => request?.headers,
      setDeviceId: false,
    }),
  );
  const handlers = nextAuth.handlers as unknown as { GET: Handler; POST: Handler };
  const auth = nextAuth.auth as unknown as () => Promise<unknown>;
  const route = createSessionEndReasonHandler({ secret: SECRET, manager: app.manager });
  return {
    ...app,
    /** `await auth()` in a Server Component rendering a page for this browser. */
    async serverComponentAuth(browser: V5Browser) {
      let session: unknown;
      const page = inNextRoute(
        async () => {
          session = await auth();
          return new Response('<html></html>');
        },
        { phase: 'render' },
      );
      const response = await page(
        new Request(new URL('/', ORIGIN), {
          // Next sets it on every request; auth() builds its URL from it.
          headers: browser.headers({ 'x-forwarded-proto': 'http' }),
        }),
      );
      return { session, setCookies: response.headers.getSetCookie() };
    },
    browser: () =>
      new V5Browser({ GET: inNextRoute(handlers.GET), POST: inNextRoute(handlers.POST) }),
    async endReason(browser: V5Browser, method: 'GET' | 'DELETE' = 'GET') {
      const request = new Request(new URL('/api/sessions/end-reason', ORIGIN), {
        method,
        headers: browser.headers(method === 'DELETE' ? { origin: ORIGIN } : {}),
      });
      const response = await inNextRoute(route[method])(request);
      browser.jar.apply(response.headers.getSetCookie());
      return (await response.json()) as { endReason: { code: string } | null };
    },
  };
}

/** The Set-Cookie lines for next-auth's session cookie (or its chunks). */
function sessionCookieLines(setCookies: readonly string[]): string[] {
  return setCookies.filter((line) => line.startsWith(V5_SESSION_COOKIE));
}

type Setup = ReturnType<typeof setup>;

async function signedIn(s: Setup) {
  const browser = s.browser();
  const signIn = await browser.signIn({ username: 'ada', password: 'correct horse' });
  const { body } = await browser.session();
  return { browser, signIn, sessionId: (body as { sessionId: string }).sessionId };
}

describe('the end reason with the default setEndReason, through Next’s cookie merge (v5)', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it('a revoked device’s session cookie is deleted (Max-Age=0 survives) and the end-reason route still says why', async () => {
    const a = await signedIn(s);
    const b = await signedIn(s);
    await s.manager.revoke(b.sessionId, { userId: 'user-1' });

    const read = await b.browser.session();
    expect(read.body).toBeNull();
    const deletions = sessionCookieLines(read.setCookies);
    expect(deletions.length).toBeGreaterThan(0);
    for (const line of deletions) {
      expect(line).toMatch(/^authjs\.session-token(\.\d+)?=;/);
      expect(line).toMatch(/;\s*Max-Age=0(;|$)|;\s*Expires=Thu, 01 Jan 1970/i);
    }

    expect((await s.endReason(b.browser)).endReason).toMatchObject({
      code: 'signed_out_elsewhere',
    });
    // Only B: A's session is live, so its own cookie answers nothing.
    expect((await s.endReason(a.browser)).endReason).toBeNull();
    expect((await a.browser.session()).body).toMatchObject({ sessionId: a.sessionId });
    // Once shown, cleared.
    await s.endReason(b.browser, 'DELETE');
    expect(b.browser.jar.has(END_REASON_COOKIE)).toBe(false);
    expect((await s.endReason(b.browser)).endReason).toBeNull();
  });

  it('sign-in sets the session cookie with its expiry and the end-reason cookie (no token in it)', async () => {
    const { signIn, browser } = await signedIn(s);
    const session = sessionCookieLines(signIn.setCookies);
    expect(session.length).toBeGreaterThan(0);
    expect(session.some((line) => /Expires=/.test(line) && !/=;/.test(line))).toBe(true);
    const watch = signIn.setCookies.find((line) => line.startsWith(`${END_REASON_COOKIE}=`));
    expect(watch).toMatch(/HttpOnly/);
    expect(watch).toMatch(/SameSite=lax/i);
    for (const token of s.issuedTokens) expect(watch).not.toContain(token);
    // While the session lives, there is nothing to tell.
    expect((await s.endReason(browser)).endReason).toBeNull();
  });

  it('sign out everywhere and the session limit each reach the device; a sign-out of its own does not', async () => {
    const everywhere = await signedIn(s);
    await s.manager.revokeAll('user-1', { reason: 'revoked_all' });
    await everywhere.browser.session();
    expect((await s.endReason(everywhere.browser)).endReason?.code).toBe('signed_out_everywhere');

    const limited = await signedIn(s);
    await s.manager.revokeAll('user-1', { reason: 'session_limit' });
    expect((await s.endReason(limited.browser)).endReason?.code).toBe('too_many_devices');

    const own = await signedIn(s);
    const out = await own.browser.signOut();
    for (const line of sessionCookieLines(out.setCookies)) expect(line).toMatch(/Max-Age=0/);
    expect((await s.endReason(own.browser)).endReason).toBeNull();
  });

  it('a Server Component’s auth() sees the ended session as signed out, writes nothing, and the route still says why', async () => {
    const { browser, sessionId } = await signedIn(s);
    expect(await s.serverComponentAuth(browser)).toMatchObject({ session: { sessionId } });
    await s.manager.revoke(sessionId, { reason: 'password_changed' });
    const warn = vi.spyOn(console, 'warn');
    try {
      expect(await s.serverComponentAuth(browser)).toEqual({ session: null, setCookies: [] });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    expect((await s.endReason(browser)).endReason?.code).toBe('password_changed');
    // The browser's next /api/auth/session call removes the dead cookie.
    const read = await browser.session();
    for (const line of sessionCookieLines(read.setCookies)) expect(line).toMatch(/Max-Age=0/);
  });
});
