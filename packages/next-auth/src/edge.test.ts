// The Edge half of the split config (withEdgeSessionTracking) and the Node half
// (withSessionTracking) against next-auth v5's real handlers, sharing one
// cookie as middleware and pages do.
import { inspect } from 'node:util';
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import Credentials from 'next-auth-v5/providers/credentials';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withEdgeSessionTracking } from './edge.js';
import { appWorld } from './test-utils/app-world.js';
import { V5_SESSION_COOKIE, V5Browser } from './test-utils/next-auth-v5.js';
import { withSessionTracking } from './with-session-tracking.js';

// The tracked decode loads `next-auth/jwt`, which resolves to v4 in this package
// (v5 is installed under an alias): point it at v5's, as an app on v5 resolves it.
vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

function setup() {
  const app = appWorld();
  const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };
  // auth.config.ts: Edge-safe, shared by both halves. The app's jwt callback
  // builds a new token (keeps only what it knows): the claim must survive it.
  const authConfig = {
    secret: 'sessionkit-v5-test-secret-0123456789abcdef',
    trustHost: true,
    session: { strategy: 'jwt' },
    logger,
    providers: [
      Credentials({
        credentials: { username: {}, password: {} },
        authorize: async (c) => (c?.password === 'pw' ? { id: 'user-1', name: 'ada' } : null),
      }),
    ],
    callbacks: {
      jwt: ({ token }) => ({ sub: token.sub, name: token.name, plan: 'pro' }),
    },
  } satisfies NextAuthConfig;
  const node = NextAuth(async (request) =>
    // v5's config type while this package type-checks against v4's: cast.
    withSessionTracking(authConfig as never, {
      manager: app.manager,
      getHeaders: () => request?.headers,
    }),
  );
  const edge = NextAuth(withEdgeSessionTracking(authConfig as never));
  return { ...app, node, edge, logger };
}

/** The same browser (cookie jar) seen by the Edge instance instead. */
function viaEdge(browser: V5Browser, handlers: unknown): V5Browser {
  const edge = new V5Browser(handlers as never);
  for (const name of [V5_SESSION_COOKIE]) {
    const value = browser.jar.get(name);
    if (value) edge.jar.apply([`${name}=${value}; Path=/`]);
  }
  return edge;
}

describe('withEdgeSessionTracking (split config, next-auth v5)', () => {
  it('middleware sees the tracked session, keeps the claim through the app jwt callback, and never clears the cookie', async () => {
    const s = setup();
    const browser = new V5Browser(s.node.handlers as never);
    expect((await browser.signIn({ username: 'ada', password: 'pw' })).status).toBe(302);
    const { body: onNode } = await browser.session();

    const edge = viaEdge(browser, s.edge.handlers);
    const { body: onEdge, setCookies } = await edge.session();
    expect(onEdge).toMatchObject({
      user: { id: 'user-1' },
      sessionId: (onNode as { sessionId: string }).sessionId,
    });
    // The cookie the Edge instance re-issued still works on Node.js.
    edge.jar.apply(setCookies);
    const back = viaEdge(edge, s.node.handlers);
    expect((await back.session()).body).toMatchObject({ user: { id: 'user-1' } });
  });

  it('a revoked session passes the Edge gate but is signed out by the first Node.js read', async () => {
    const s = setup();
    const browser = new V5Browser(s.node.handlers as never);
    await browser.signIn({ username: 'ada', password: 'pw' });
    const { body } = await browser.session();
    await s.manager.revoke((body as { sessionId: string }).sessionId);

    // Edge: unverified by design (no store there).
    expect((await viaEdge(browser, s.edge.handlers).session()).body).not.toBeNull();
    // Node: the store says revoked.
    expect((await browser.session()).body).toBeNull();
    expect(browser.jar.has(V5_SESSION_COOKIE)).toBe(false);
  });

  it('refuses a JWT without a sessionkit session, as Node.js does', async () => {
    const s = setup();
    const plain = NextAuth({
      secret: 'sessionkit-v5-test-secret-0123456789abcdef',
      trustHost: true,
      session: { strategy: 'jwt' },
      logger: s.logger,
      providers: [
        Credentials({
          credentials: { username: {}, password: {} },
          authorize: async () => ({ id: 'user-1', name: 'ada' }),
        }),
      ],
    });
    const browser = new V5Browser(plain.handlers as never);
    await browser.signIn({ username: 'ada', password: 'pw' });
    expect(browser.jar.has(V5_SESSION_COOKIE)).toBe(true);
    expect((await viaEdge(browser, s.edge.handlers).session()).body).toBeNull();
  });

  it('refuses to sign anyone in (a sign-in must be tracked on Node.js)', async () => {
    const s = setup();
    const browser = new V5Browser(s.edge.handlers as never);
    await browser.signIn({ username: 'ada', password: 'pw' });
    expect(browser.jar.has(V5_SESSION_COOKIE)).toBe(false);
    expect(inspect(s.logger.error.mock.calls, { depth: 8 })).toMatch(
      /sign-in reached the Edge config/,
    );
  });
});

describe('withSessionTracking on the Edge runtime', () => {
  it('throws one EdgeRuntimeError naming the fixes instead of signing everyone out later', () => {
    const s = setup();
    vi.stubGlobal('EdgeRuntime', 'edge-runtime');
    const call = () =>
      withSessionTracking({ session: { strategy: 'jwt' }, providers: [] }, { manager: s.manager });
    expect(call).toThrow(expect.objectContaining({ code: 'EDGE_RUNTIME' }));
    expect(call).toThrow(/runtime: 'nodejs'.*proxy\.ts.*withEdgeSessionTracking/s);
  });
});
