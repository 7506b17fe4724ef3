// Federated sign-out end to end with next-auth v5's real handlers (@auth/core,
// oauth4webapi) and OIDC flow against a real OpenID provider whose client
// requires sid in Logout Tokens: ending one provider session ends exactly the
// app sessions it started, and their next request is signed out.
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackchannelLogoutHandler } from './backchannel-logout.js';
import { federatedSignOutUrl } from './rp-logout.js';
import { appWorld } from './test-utils/app-world.js';
import { type LogoutReceiver, startLogoutReceiver } from './test-utils/logout-receiver.js';
import { ORIGIN, V5_SESSION_COOKIE, V5Browser } from './test-utils/next-auth-v5.js';
import { type OidcProviderHarness, startOidcProvider } from './test-utils/oidc-provider.js';
import { withSessionTracking } from './with-session-tracking.js';

// This repo installs v5 as `next-auth-v5`; in an app it is `next-auth`.
vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

const CLIENT = {
  clientId: 'sessionkit-sso-v5',
  clientSecret: 'sessionkit-sso-v5-client-secret-0123456789',
  redirectUris: [`${ORIGIN}/api/auth/callback/idp`],
};

let idp: OidcProviderHarness;
let receiver: LogoutReceiver;

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  idp = await startOidcProvider({
    accounts: [{ sub: 'alice', email: 'alice@example.com', name: 'Alice' }],
    clients: [
      {
        ...CLIENT,
        metadata: {
          backchannel_logout_uri: receiver.url,
          backchannel_logout_session_required: true,
          post_logout_redirect_uris: [`${ORIGIN}/signed-out`],
        },
      },
    ],
    configuration: {
      features: { devInteractions: { enabled: false }, backchannelLogout: { enabled: true } },
    },
  });
});
afterAll(async () => {
  await idp?.close();
  await receiver?.close();
});

function setup() {
  const app = appWorld();
  const config: NextAuthConfig = {
    secret: 'sessionkit-v5-test-secret-0123456789abcdef',
    trustHost: true,
    session: { strategy: 'jwt' },
    logger: { error: vi.fn(), warn: vi.fn(), debug: vi.fn() },
    providers: [
      {
        id: 'idp',
        name: 'Test IdP',
        type: 'oidc',
        issuer: idp.issuer,
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
      setDeviceId: false,
    }),
  );
  receiver.use(
    createBackchannelLogoutHandler({
      manager: app.manager,
      providers: config.providers as never,
    }).POST,
  );
  return { ...app, browser: (ua?: string) => new V5Browser(tracked.handlers as never, ua) };
}

async function oidcSignIn(browser: V5Browser, sub: string) {
  const csrfToken = await browser.csrfToken();
  const start = await browser.send('POST', '/api/auth/signin/idp', {
    csrfToken,
    callbackUrl: ORIGIN,
  });
  idp.loginAs(sub);
  const back = await idp.authorize(start.location ?? '');
  await browser.send('GET', `${back.pathname}${back.search}`);
  const session = (await browser.session()).body as { sessionId: string; user: { id: string } };
  expect(session.sessionId).toEqual(expect.any(String));
  return session;
}

describe('next-auth v5: federated sign-out through a real OpenID provider', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
    receiver.deliveries.length = 0;
  });

  it('records issuer, sub and the provider session id (sid), never in the cookie or the session response', async () => {
    const browser = s.browser();
    const session = await oidcSignIn(browser, 'alice');
    const origin = await s.manager.getOrigin(session.sessionId);
    expect(origin).toMatchObject({ providerId: 'idp', issuer: idp.issuer, subject: 'alice' });
    expect(origin?.sid).toEqual(expect.any(String));
    const body = JSON.stringify((await browser.session()).body);
    expect(body).not.toContain(origin?.sid);
    expect(body).not.toContain(origin?.idToken?.slice(0, 40));
    expect((browser.jar.get(V5_SESSION_COOKIE) ?? '').length).toBeLessThan(1500);
  });

  it('the user signs out at the provider on one device: that device is signed out on its next request, the other is not', async () => {
    const laptop = s.browser();
    const phone = s.browser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1');
    const one = await oidcSignIn(laptop, 'alice');
    const two = await oidcSignIn(phone, 'alice'); // the harness's provider browser is now the phone's
    const [a, b] = [
      await s.manager.getOrigin(one.sessionId),
      await s.manager.getOrigin(two.sessionId),
    ];
    expect(a?.sid).not.toBe(b?.sid);

    await idp.endSession(`${idp.issuer}/session/end`);

    expect(receiver.deliveries.map((d) => d.status)).toEqual([200]);
    expect(await s.manager.get(two.sessionId)).toMatchObject({
      status: 'REVOKED',
      endReason: 'idp_logout',
    });
    expect((await phone.session()).body).toBeNull();
    expect(await s.manager.get(one.sessionId)).toMatchObject({ status: 'ACTIVE' });
    expect((await laptop.session()).body).toMatchObject({ sessionId: one.sessionId });
  });

  it('RP-initiated logout: ends the app session, and the provider ends its session and redirects back', async () => {
    const browser = s.browser();
    const session = await oidcSignIn(browser, 'alice');
    const url = await federatedSignOutUrl({
      manager: s.manager,
      session,
      postLogoutRedirectUri: `${ORIGIN}/signed-out`,
    });
    expect(new URL(url ?? '').searchParams.get('id_token_hint')).toEqual(expect.any(String));
    expect((await browser.session()).body).toBeNull();
    const back = await idp.endSession(url ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(`${ORIGIN}/signed-out`);
    // The provider's Logout Token (sid) arrives for a session already ended: 200, nothing else ends.
    expect(receiver.deliveries.map((d) => d.status)).toEqual([200]);
  });
});
