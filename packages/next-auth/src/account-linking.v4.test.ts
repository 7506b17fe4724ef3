// Account linking and re-sign-in against next-auth v4's real handler with an
// adapter, `session: { strategy: 'jwt' }` and a real OpenID provider on
// loopback: v4's callback-handler decodes the incoming session cookie without
// running callbacks and links the provider account to its `sub`.
import type { SessionManager } from '@sessionkit/core';
import type { AuthOptions } from 'next-auth';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { appWorld } from './test-utils/app-world.js';
import { linkingClient, MALLORY_UA, oidcProviderPerFile } from './test-utils/linking-world.js';
import { createMemoryAdapter } from './test-utils/memory-adapter.js';
import { NextAuth, ORIGIN, V4_SESSION_COOKIE, V4Browser } from './test-utils/next-auth-v4.js';
import { withSessionTracking } from './with-session-tracking.js';

const CLIENT = linkingClient('sessionkit-app', ORIGIN);
const idp = oidcProviderPerFile(CLIENT);
const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };

beforeAll(() => {
  vi.stubEnv('NEXTAUTH_URL', ORIGIN);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

function setup() {
  const app = appWorld();
  const store = createMemoryAdapter();
  const authOptions: AuthOptions = {
    secret: 'sessionkit-v4-test-secret-0123456789abcdef',
    session: { strategy: 'jwt' },
    adapter: store.adapter as never,
    logger,
    providers: [
      {
        id: 'idp',
        name: 'Test IdP',
        type: 'oauth',
        wellKnown: `${idp().issuer}/.well-known/openid-configuration`,
        authorization: { params: { scope: 'openid email profile' } },
        idToken: true,
        checks: ['pkce', 'state'],
        clientId: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        profile: (p: { sub: string; name: string; email: string }) => ({
          id: p.sub,
          name: p.name,
          email: p.email,
        }),
      },
    ],
  };
  const handler = (req: { headers: Record<string, unknown> }, res: unknown) =>
    (NextAuth as unknown as (req: unknown, res: unknown, options: AuthOptions) => Promise<unknown>)(
      req,
      res,
      withSessionTracking(authOptions, {
        manager: app.manager,
        getHeaders: () => req.headers as never,
      }),
    );
  return {
    ...app,
    ...store,
    browser: (ua?: string, ip?: string) => new V4Browser(handler as never, ua, ip),
  };
}

/** The whole authorization code flow: next-auth → provider (login as `sub`, consent) → next-auth callback. */
async function oidcSignIn(browser: V4Browser, sub: string) {
  const csrf = await browser.send('GET', '/api/auth/csrf');
  const { csrfToken } = csrf.body as { csrfToken: string };
  const start = await browser.send('POST', '/api/auth/signin/idp', {
    csrfToken,
    callbackUrl: ORIGIN,
    json: 'true',
  });
  const authorizationUrl = (start.body as { url: string }).url;
  expect(authorizationUrl.startsWith(`${idp().issuer}/`)).toBe(true);
  idp().loginAs(sub);
  const back = await idp().authorize(authorizationUrl);
  expect(back.pathname).toBe('/api/auth/callback/idp');
  return browser.send('GET', `${back.pathname}${back.search}`);
}

async function readSession(browser: V4Browser) {
  return (await browser.session()).body as {
    sessionId?: string;
    user?: { id: string; email: string };
  };
}

type Setup = ReturnType<typeof setup>;

describe('next-auth v4 + adapter + JWT sessions + a real OpenID provider', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
    logger.error.mockClear();
  });

  async function victimSignedIn() {
    const victim = s.browser();
    await oidcSignIn(victim, 'alice');
    const session = await readSession(victim);
    expect(session.user?.email).toBe('alice@example.com');
    return { victim, session: session as Required<typeof session> };
  }

  it('a revoked session cookie sent to the OAuth callback links nothing to its user and starts no session for them', async () => {
    const { victim, session } = await victimSignedIn();
    const aliceId = session.user.id;
    const stolen = victim.jar.get(V4_SESSION_COOKIE)!;

    await s.manager.revoke(session.sessionId);
    expect(await victim.session()).toMatchObject({ body: {} });
    s.clearCalls();

    // The attacker replays the revoked cookie while signing in with their own provider account.
    const attacker = s.browser(MALLORY_UA, '192.0.2.66');
    attacker.jar.apply([`${V4_SESSION_COOKIE}=${stolen}; Path=/`]);
    await oidcSignIn(attacker, 'mallory');

    // Nothing was linked to the victim, and the victim has no new session.
    expect(s.adapter.linkAccount).not.toHaveBeenCalledWith(
      expect.objectContaining({ userId: aliceId }),
    );
    expect(s.accountsOf(aliceId).map((a) => a.providerAccountId)).toEqual(['alice']);
    expect(await s.manager.list(aliceId)).toEqual([]);
    // The attacker got exactly what signing in without the cookie gives: their own new user.
    expect(s.adapter.createUser).toHaveBeenCalledTimes(1);
    expect(s.adapter.createUser).toHaveBeenCalledWith(
      expect.objectContaining({ email: 'mallory@example.net' }),
    );
    const mine = await readSession(attacker);
    expect(mine.user?.email).toBe('mallory@example.net');
    expect(mine.user?.id).not.toBe(aliceId);
  });

  it('fails closed: when the store cannot say whether the incoming session is live, the callback creates and links nothing', async () => {
    const { victim } = await victimSignedIn();
    s.clearCalls();
    const attacker = s.browser(MALLORY_UA, '192.0.2.66');
    attacker.jar.apply([`${V4_SESSION_COOKIE}=${victim.jar.get(V4_SESSION_COOKIE)}; Path=/`]);

    const csrf = await attacker.send('GET', '/api/auth/csrf');
    const { csrfToken } = csrf.body as { csrfToken: string };
    const start = await attacker.send('POST', '/api/auth/signin/idp', {
      csrfToken,
      callbackUrl: ORIGIN,
      json: 'true',
    });
    idp().loginAs('mallory');
    const back = await idp().authorize((start.body as { url: string }).url);
    s.setDown(true);
    const callback = await attacker.send('GET', `${back.pathname}${back.search}`);

    expect(callback.redirect).toMatch(/\/api\/auth\/error\?error=/);
    expect(s.adapter.createUser).not.toHaveBeenCalled();
    expect(s.adapter.linkAccount).not.toHaveBeenCalled();
    expect(s.accounts.map((a) => a.providerAccountId)).toEqual(['alice']);
  });

  it('linking a second account while signed in still works, and the session it replaces ends as replaced', async () => {
    const { victim: alice, session } = await victimSignedIn();
    const oldCookie = alice.jar.get(V4_SESSION_COOKIE)!;
    s.clearCalls();

    await oidcSignIn(alice, 'alice-work');

    expect(s.adapter.linkAccount).toHaveBeenCalledWith(
      expect.objectContaining({ userId: session.user.id, providerAccountId: 'alice-work' }),
    );
    expect(s.adapter.createUser).not.toHaveBeenCalled();
    const now = await readSession(alice);
    expect(now.user?.id).toBe(session.user.id);
    expect(now.sessionId).not.toBe(session.sessionId);
    expect(await s.manager.get(session.sessionId)).toMatchObject({
      status: 'REVOKED',
      endReason: 'replaced',
    });
    // a copy of the old cookie no longer works
    const copy = s.browser();
    copy.jar.apply([`${V4_SESSION_COOKIE}=${oldCookie}; Path=/`]);
    expect((await copy.session()).body).toEqual({});
  });

  it('signing in again over a live session ends the old one as replaced', async () => {
    const { victim: alice, session } = await victimSignedIn();
    const oldCookie = alice.jar.get(V4_SESSION_COOKIE)!;
    await oidcSignIn(alice, 'alice');
    const now = await readSession(alice);
    expect(now.sessionId).not.toBe(session.sessionId);
    expect(await s.manager.get(session.sessionId)).toMatchObject({ endReason: 'replaced' });
    expect((await s.manager.list(session.user.id)).map((x) => x.id)).toEqual([now.sessionId]);
    const copy = s.browser();
    copy.jar.apply([`${V4_SESSION_COOKIE}=${oldCookie}; Path=/`]);
    expect((await copy.session()).body).toEqual({});
  });

  it('one store validation per session read: decode validates, the jwt callback reuses it', async () => {
    const { victim } = await victimSignedIn();
    const validate = vi.spyOn(s.manager as SessionManager, 'validate');
    await victim.session();
    expect(validate).toHaveBeenCalledTimes(1);
  });
});
