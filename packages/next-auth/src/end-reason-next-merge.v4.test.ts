// The same as end-reason-next-merge.v5.test.ts for next-auth v4's App Router
// route handler (`NextAuth(req, { params }, options)`, which reads next/headers),
// with the DEFAULT setEndReason and Next's own cookie merge: v4's deletion of
// `next-auth.session-token` is `Max-Age=0` too, and was mangled the same way.
// First: Next's request storages need AsyncLocalStorage on globalThis when they load.
import './test-utils/next-async-local-storage.js';
import { NextRequest } from 'next/server';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { END_REASON_COOKIE } from './end-reason-cookie.js';
import { createSessionEndReasonHandler } from './end-reason-route.js';
import { appWorld } from './test-utils/app-world.js';
import { NextAuth, V4_SESSION_COOKIE } from './test-utils/next-auth-v4.js';
import { V5Browser as Browser, ORIGIN } from './test-utils/next-auth-v5.js';
import { inNextRoute } from './test-utils/next-route-scope.js';
import { withSessionTracking } from './with-session-tracking.js';

const SECRET = 'sessionkit-v4-merge-test-secret-0123456789';

beforeAll(() => {
  process.env.NEXTAUTH_URL = ORIGIN;
});
afterAll(() => {
  delete process.env.NEXTAUTH_URL;
});

function setup() {
  const app = appWorld();
  // No getHeaders, no setEndReason: the defaults, both next/headers.
  const options: AuthOptions = withSessionTracking(
    {
      secret: SECRET,
      session: { strategy: 'jwt' },
      logger: { error() {}, warn() {}, debug() {} },
      providers: [
        CredentialsProvider({
          credentials: { username: { type: 'text' }, password: { type: 'password' } },
          async authorize(credentials) {
            if (credentials?.password !== 'correct horse') return null;
            return { id: 'user-1', name: credentials.username };
          },
        }),
      ],
    },
    { manager: app.manager, setDeviceId: false },
  );
  // app/api/auth/[...nextauth]/route.ts: `const handler = NextAuth(options); export { handler as GET, handler as POST }`
  const handler = inNextRoute(async (request) => {
    const nextauth = new URL(request.url).pathname.replace(/^\/api\/auth\//, '').split('/');
    const route = NextAuth as unknown as (
      req: NextRequest,
      context: { params: Promise<{ nextauth: string[] }> },
      options: AuthOptions,
    ) => Promise<Response>;
    return route(new NextRequest(request), { params: Promise.resolve({ nextauth }) }, options);
  });
  const route = createSessionEndReasonHandler({ secret: SECRET, manager: app.manager });
  return {
    ...app,
    browser: () => new Browser({ GET: handler, POST: handler }),
    async endReason(browser: Browser) {
      const request = new Request(new URL('/api/sessions/end-reason', ORIGIN), {
        headers: browser.headers(),
      });
      const response = await route.GET(request);
      return ((await response.json()) as { endReason: { code: string } | null }).endReason;
    },
  };
}

describe('the end reason with the default setEndReason, through Next’s cookie merge (v4 App Router)', () => {
  it('a revoked device’s session cookie is deleted (Max-Age=0 survives) and the end-reason route still says why', async () => {
    const s = setup();
    const browser = s.browser();
    const signIn = await browser.signIn({ username: 'ada', password: 'correct horse' });
    expect(signIn.setCookies.some((c) => c.startsWith(`${END_REASON_COOKIE}=w~`))).toBe(true);
    const { sessionId } = (await browser.session()).body as { sessionId: string };
    expect(await s.endReason(browser)).toBeNull();

    await s.manager.revoke(sessionId, { userId: 'user-1' });
    const read = await browser.session();
    expect(read.body).toEqual({});
    const deletions = read.setCookies.filter((c) => c.startsWith(V4_SESSION_COOKIE));
    expect(deletions.length).toBeGreaterThan(0);
    for (const line of deletions)
      expect(line).toMatch(/;\s*Max-Age=0(;|$)|Expires=Thu, 01 Jan 1970/i);
    expect((await s.endReason(browser))?.code).toBe('signed_out_elsewhere');
  });
});
