// Account linking and re-sign-in against next-auth v5's real handlers (@auth/core
// `Auth` underneath) with an adapter, `session: { strategy: 'jwt' }` and a real
// OpenID provider on loopback: @auth/core's handle-login decodes the incoming
// session cookie without running callbacks and links the account to its `sub`.
import type { SessionManager } from '@sessionkit/core';
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appWorld } from './test-utils/app-world.js';
import { linkingClient, MALLORY_UA, oidcProviderPerFile } from './test-utils/linking-world.js';
import { createMemoryAdapter } from './test-utils/memory-adapter.js';
import { ORIGIN, V5_SESSION_COOKIE, V5Browser } from './test-utils/next-auth-v5.js';
import { withSessionTracking } from './with-session-tracking.js';

// This repo installs v5 as `next-auth-v5`; in an app it is `next-auth`.
vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

const CLIENT = linkingClient('sessionkit-app-v5', ORIGIN);
const idp = oidcProviderPerFile(CLIENT);

function setup() {
  const app = appWorld();
  const store = createMemoryAdapter();
  const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };
  const config: NextAuthConfig = {
    secret: 'sessionkit-v5-test-secret-0123456789abcdef',
    trustHost: true,
    session: { strategy: 'jwt' },
    adapter: store.adapter as never,
    logger,
    providers: [
      {
        id: 'idp',
        name: 'Test IdP',
        type: 'oidc',
        issuer: idp().issuer,
        clientId: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        checks: ['pkce', 'state'],
      },
    ],
  };
  const tracked = NextAuth(async (request) =>
    withSessionTracking(config as never, {
      manager: app.manager,
      getHeaders: () => request?.headers,
    }),
  );
  return {
    ...app,
    ...store,
    logger,
    browser: (ua?: string, ip?: string) => new V5Browser(tracked.handlers as never, ua, ip),
  };
}

async function startSignIn(browser: V5Browser, sub: string): Promise<URL> {
  const csrfToken = await browser.csrfToken();
  const start = await browser.send('POST', '/api/auth/signin/idp', {
    csrfToken,
    callbackUrl: ORIGIN,
  });
  expect(start.location?.startsWith(`${idp().issuer}/`)).toBe(true);
  idp().loginAs(sub);
  const back = await idp().authorize(start.location!);
  expect(back.pathname).toBe('/api/auth/callback/idp');
  return back;
}

/** The whole authorization code flow: next-auth → provider (login as `sub`, consent) → next-auth callback. */
async function oidcSignIn(browser: V5Browser, sub: string) {
  const back = await startSignIn(browser, sub);
  return browser.send('GET', `${back.pathname}${back.search}`);
}

async function readSession(browser: V5Browser) {
  return (await browser.session()).body as {
    sessionId?: string;
    user?: { id: string; email: string };
  } | null;
}

type Setup = ReturnType<typeof setup>;

describe('next-auth v5 + adapter + JWT sessions + a real OpenID provider', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  async function victimSignedIn() {
    const victim = s.browser();
    await oidcSignIn(victim, 'alice');
    const session = await readSession(victim);
    expect(session?.user?.email).toBe('alice@example.com');
    return { victim, session: session as { sessionId: string; user: { id: string } } };
  }

  it('a revoked session cookie sent to the OAuth callback links nothing to its user and starts no session for them', async () => {
    const { victim, session } = await victimSignedIn();
    const aliceId = session.user.id;
    const stolen = victim.jar.get(V5_SESSION_COOKIE)!;

    await s.manager.revoke(session.sessionId);
    expect((await victim.session()).body).toBeNull();
    s.clearCalls();

    const attacker = s.browser(MALLORY_UA, '192.0.2.66');
    attacker.jar.apply([`${V5_SESSION_COOKIE}=${stolen}; Path=/`]);
    await oidcSignIn(attacker, 'mallory');

    expect(s.adapter.linkAccount).not.toHaveBeenCalledWith(
      expect.objectContaining({ userId: aliceId }),
    );
    expect(s.accountsOf(aliceId).map((a) => a.providerAccountId)).toEqual(['alice']);
    expect(await s.manager.list(aliceId)).toEqual([]);
    expect(s.adapter.createUser).toHaveBeenCalledTimes(1);
    expect(s.adapter.createUser).toHaveBeenCalledWith(
      expect.objectContaining({ email: 'mallory@example.net' }),
    );
    const mine = await readSession(attacker);
    expect(mine?.user?.email).toBe('mallory@example.net');
    expect(mine?.user?.id).not.toBe(aliceId);
  });

  it('fails closed: when the store cannot say whether the incoming session is live, the callback creates and links nothing', async () => {
    const { victim } = await victimSignedIn();
    s.clearCalls();
    const attacker = s.browser(MALLORY_UA, '192.0.2.66');
    attacker.jar.apply([`${V5_SESSION_COOKIE}=${victim.jar.get(V5_SESSION_COOKIE)}; Path=/`]);
    const back = await startSignIn(attacker, 'mallory');
    s.setDown(true);
    const callback = await attacker.send('GET', `${back.pathname}${back.search}`);

    expect(callback.location).toMatch(/\/api\/auth\/error\?error=/);
    expect(s.adapter.createUser).not.toHaveBeenCalled();
    expect(s.adapter.linkAccount).not.toHaveBeenCalled();
    expect(s.accounts.map((a) => a.providerAccountId)).toEqual(['alice']);
  });

  it('linking a second account while signed in still works, and the session it replaces ends as replaced', async () => {
    const { victim: alice, session } = await victimSignedIn();
    const oldCookie = alice.jar.get(V5_SESSION_COOKIE)!;
    s.clearCalls();

    await oidcSignIn(alice, 'alice-work');

    expect(s.adapter.linkAccount).toHaveBeenCalledWith(
      expect.objectContaining({ userId: session.user.id, providerAccountId: 'alice-work' }),
    );
    expect(s.adapter.createUser).not.toHaveBeenCalled();
    const now = await readSession(alice);
    expect(now?.user?.id).toBe(session.user.id);
    expect(now?.sessionId).not.toBe(session.sessionId);
    expect(await s.manager.get(session.sessionId)).toMatchObject({
      status: 'REVOKED',
      endReason: 'replaced',
    });
    const copy = s.browser();
    copy.jar.apply([`${V5_SESSION_COOKIE}=${oldCookie}; Path=/`]);
    expect((await copy.session()).body).toBeNull();
  });

  it('signing in again over a live session ends the old one as replaced', async () => {
    const { victim: alice, session } = await victimSignedIn();
    const oldCookie = alice.jar.get(V5_SESSION_COOKIE)!;
    await oidcSignIn(alice, 'alice');
    const now = await readSession(alice);
    expect(now?.sessionId).not.toBe(session.sessionId);
    expect(await s.manager.get(session.sessionId)).toMatchObject({ endReason: 'replaced' });
    expect((await s.manager.list(session.user.id)).map((x) => x.id)).toEqual([now?.sessionId]);
    const copy = s.browser();
    copy.jar.apply([`${V5_SESSION_COOKIE}=${oldCookie}; Path=/`]);
    expect((await copy.session()).body).toBeNull();
  });

  it('one store validation per session read: decode validates, the jwt callback reuses it', async () => {
    const { victim } = await victimSignedIn();
    const validate = vi.spyOn(s.manager as SessionManager, 'validate');
    await victim.session();
    expect(validate).toHaveBeenCalledTimes(1);
  });
});
