// Federated sign-out end to end with next-auth v4's real handler and OIDC flow
// against a real OpenID provider (oidc-provider, back-channel logout on): two
// devices sign in through the provider; the user signs out at the provider; it
// POSTs a Logout Token to the app's handler; both sessions end and the next
// request of each device is signed out. And RP-initiated logout from the app.
import type { AuthOptions } from 'next-auth';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackchannelLogoutHandler } from './backchannel-logout.js';
import { federatedSignOutUrl } from './rp-logout.js';
import { appWorld } from './test-utils/app-world.js';
import { type LogoutReceiver, startLogoutReceiver } from './test-utils/logout-receiver.js';
import { NextAuth, ORIGIN, V4_SESSION_COOKIE, V4Browser } from './test-utils/next-auth-v4.js';
import { type OidcProviderHarness, startOidcProvider } from './test-utils/oidc-provider.js';
import { withSessionTracking } from './with-session-tracking.js';

const CLIENT = {
  clientId: 'sessionkit-sso-v4',
  clientSecret: 'sessionkit-sso-v4-client-secret-0123456789',
  redirectUris: [`${ORIGIN}/api/auth/callback/idp`],
};

let idp: OidcProviderHarness;
let receiver: LogoutReceiver;
const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };

beforeAll(async () => {
  vi.stubEnv('NEXTAUTH_URL', ORIGIN);
  receiver = await startLogoutReceiver();
  idp = await startOidcProvider({
    accounts: [{ sub: 'alice', email: 'alice@example.com', name: 'Alice' }],
    clients: [
      {
        ...CLIENT,
        metadata: {
          backchannel_logout_uri: receiver.url,
          backchannel_logout_session_required: false,
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
  vi.unstubAllEnvs();
  await idp?.close();
  await receiver?.close();
});

function setup() {
  const app = appWorld();
  const authOptions: AuthOptions = {
    secret: 'sessionkit-v4-test-secret-0123456789abcdef',
    session: { strategy: 'jwt' },
    logger,
    providers: [
      {
        id: 'idp',
        name: 'Test IdP',
        type: 'oauth',
        wellKnown: `${idp.issuer}/.well-known/openid-configuration`,
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
        setDeviceId: false,
      }),
    );
  // The app's back-channel route, as `export const { POST } = createBackchannelLogoutHandler(...)`.
  receiver.use(
    createBackchannelLogoutHandler({ manager: app.manager, providers: authOptions.providers }).POST,
  );
  return { ...app, browser: (ua?: string) => new V4Browser(handler as never, ua) };
}

async function oidcSignIn(browser: V4Browser, sub: string) {
  const csrf = await browser.send('GET', '/api/auth/csrf');
  const { csrfToken } = csrf.body as { csrfToken: string };
  const start = await browser.send('POST', '/api/auth/signin/idp', {
    csrfToken,
    callbackUrl: ORIGIN,
    json: 'true',
  });
  idp.loginAs(sub);
  const back = await idp.authorize((start.body as { url: string }).url);
  await browser.send('GET', `${back.pathname}${back.search}`);
  const session = (await browser.session()).body as { sessionId: string; user: { id: string } };
  expect(session.sessionId).toEqual(expect.any(String));
  return session;
}

describe('next-auth v4: federated sign-out through a real OpenID provider', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
    receiver.deliveries.length = 0;
  });

  it('records where each session came from, server-side only', async () => {
    const browser = s.browser();
    const session = await oidcSignIn(browser, 'alice');
    const origin = await s.manager.getOrigin(session.sessionId);
    expect(origin).toMatchObject({ providerId: 'idp', issuer: idp.issuer, subject: 'alice' });
    // This client does not require sid (backchannel_logout_session_required: false),
    // so the provider puts none in the ID token; the v5 test covers sid.
    expect(origin?.sid).toBeNull();
    expect(origin?.idToken?.split('.')).toHaveLength(3);
    // Neither the session response nor the cookie carries the ID token.
    const body = JSON.stringify((await browser.session()).body);
    expect(body).not.toContain(origin?.idToken?.slice(0, 40));
    expect((browser.jar.get(V4_SESSION_COOKIE) ?? '').length).toBeLessThan(1500);
  });

  it('the user signs out at the provider: it POSTs the Logout Token, both devices are signed out on their next request', async () => {
    const laptop = s.browser();
    const phone = s.browser('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1');
    const one = await oidcSignIn(laptop, 'alice');
    const two = await oidcSignIn(phone, 'alice'); // the harness's provider browser is now the phone's
    expect(one.sessionId).not.toBe(two.sessionId);

    // At the provider: end session, "sign out of everything" (logout=yes).
    await idp.endSession(`${idp.issuer}/session/end`);

    expect(receiver.deliveries.map((d) => d.status)).toEqual([200]);
    expect(await s.manager.get(one.sessionId)).toMatchObject({
      status: 'REVOKED',
      endReason: 'idp_logout',
    });
    expect(await s.manager.get(two.sessionId)).toMatchObject({ endReason: 'idp_logout' });
    expect((await laptop.session()).body).toEqual({});
    expect((await phone.session()).body).toEqual({});
  });

  it('RP-initiated logout: the app session ends at once, the browser goes to end_session with id_token_hint, and returns', async () => {
    const browser = s.browser();
    const session = await oidcSignIn(browser, 'alice');
    const origin = await s.manager.getOrigin(session.sessionId);

    const url = await federatedSignOutUrl({
      manager: s.manager,
      session,
      postLogoutRedirectUri: `${ORIGIN}/signed-out`,
      state: 'st-1',
    });
    expect(url).not.toBeNull();
    const target = new URL(url ?? '');
    expect(target.origin).toBe(idp.issuer);
    expect(target.searchParams.get('id_token_hint')).toBe(origin?.idToken);
    expect(target.searchParams.get('post_logout_redirect_uri')).toBe(`${ORIGIN}/signed-out`);
    expect((await browser.session()).body).toEqual({});
    expect(await s.manager.get(session.sessionId)).toMatchObject({ endReason: 'logged_out' });

    // The provider accepts the hint, ends its session and sends the browser back.
    const back = await idp.endSession(url ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(`${ORIGIN}/signed-out`);
    expect(back.searchParams.get('state')).toBe('st-1');
    // Its Logout Token found the session already ended: still a 200.
    expect(receiver.deliveries.map((d) => d.status)).toEqual([200]);
  });

  it('a session that did not come from an OpenID provider gets no provider URL (but still ends)', async () => {
    const created = await s.manager.create({ userId: 'u-local' });
    const url = await federatedSignOutUrl({
      manager: s.manager,
      session: { sessionId: created.session.id, user: { id: 'u-local' } },
      postLogoutRedirectUri: `${ORIGIN}/`,
    });
    expect(url).toBeNull();
    expect(await s.manager.validate(created.token)).toBeNull();
  });
});
