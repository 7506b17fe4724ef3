// createBackchannelLogoutHandler against a real OpenID provider (oidc-provider
// on loopback, back-channel logout on): the Logout Tokens it emits end exactly
// the matching sessions; forged ones (each signed with the provider's own key
// but wrong in one way that §2.6 forbids) get 400 and end nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryStore,
  createSessionManager,
  type SessionManager,
  type SessionOrigin,
} from '@sessionkit/core';
import { exportJWK, generateKeyPair, importJWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createBackchannelLogoutHandler,
  createPagesBackchannelLogoutHandler,
} from './backchannel-logout.js';
import { type LogoutReceiver, startLogoutReceiver } from './test-utils/logout-receiver.js';
import { type OidcProviderHarness, startOidcProvider } from './test-utils/oidc-provider.js';

const SID_CLIENT = 'app-sid'; // backchannel_logout_session_required: tokens carry sid
const SUB_CLIENT = 'app-sub'; // not required: tokens carry sub only
const SECRET = 'sessionkit-app-client-secret-0123456789';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

let idp: OidcProviderHarness;
let receiver: LogoutReceiver;

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  idp = await startOidcProvider({
    accounts: [
      { sub: 'alice', email: 'alice@example.com', name: 'Alice' },
      { sub: 'bob', email: 'bob@example.com', name: 'Bob' },
    ],
    clients: [SID_CLIENT, SUB_CLIENT].map((clientId) => ({
      clientId,
      clientSecret: SECRET,
      redirectUris: ['http://127.0.0.1/callback'],
      metadata: {
        backchannel_logout_uri: receiver.url,
        backchannel_logout_session_required: clientId === SID_CLIENT,
      },
    })),
    configuration: {
      features: { devInteractions: { enabled: false }, backchannelLogout: { enabled: true } },
    },
  });
});
afterAll(async () => {
  await idp?.close();
  await receiver?.close();
});

let manager: SessionManager;
let clock: number;
let revoked: { id: string; reason: string }[];

beforeEach(() => {
  clock = Date.now();
  manager = createSessionManager({
    store: createMemoryStore({ now: () => clock }),
    now: () => clock,
    secret: 'sessionkit-backchannel-test-secret-0123456789',
  });
  revoked = [];
  manager.on('revoked', ({ session, reason }) => {
    revoked.push({ id: session.id, reason });
  });
  receiver.deliveries.length = 0;
  receiver.use(handler().POST);
});

function handler(options: Partial<Parameters<typeof createBackchannelLogoutHandler>[0]> = {}) {
  return createBackchannelLogoutHandler({
    manager,
    providers: [
      { issuer: idp.issuer, clientId: SID_CLIENT },
      { issuer: idp.issuer, clientId: SUB_CLIENT },
    ].slice(0, 1),
    ...options,
  });
}

async function signedIn(sub: string, sid: string | null, issuer = idp.issuer) {
  const created = await manager.create({ userId: `user-${sub}` });
  const origin: SessionOrigin = { providerId: 'idp', issuer, subject: sub, sid, idToken: null };
  expect(await manager.recordOrigin(created.session.id, origin)).toBe(true);
  return created;
}

const isLive = async (token: string) => (await manager.validate(token)) !== null;

/** The provider sends a real Logout Token for (sub, sid) to the client's back-channel URI. */
async function providerLogout(clientId: string, sub: string, sid: string) {
  const client = await idp.provider.Client.find(clientId);
  if (!client) throw new Error('client missing');
  await (
    client as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> }
  ).backchannelLogout(sub, sid);
}

async function post(h: { POST(r: Request): Promise<Response> }, body: string, type?: string) {
  return h.POST(
    new Request('http://127.0.0.1/api/auth/backchannel-logout', {
      method: 'POST',
      headers: { 'content-type': type ?? 'application/x-www-form-urlencoded' },
      body,
    }),
  );
}

/** A Logout Token signed with the provider's own key: valid unless `change` breaks it. */
async function forge(
  change: (claims: JWTPayload) => JWTPayload = (c) => c,
  header: Record<string, unknown> = {},
  key?: CryptoKey | Uint8Array,
) {
  const now = Math.floor(Date.now() / 1000);
  const claims = change({
    iss: idp.issuer,
    aud: SID_CLIENT,
    iat: now,
    exp: now + 120,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    sub: 'alice',
    sid: 'sid-1',
    events: { [EVENT]: {} },
  });
  const signingKey = key ?? ((await importJWK(idp.signingKey, 'RS256')) as CryptoKey);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'test', typ: 'logout+jwt', ...header })
    .sign(signingKey);
}

describe('Logout Tokens the provider emits', () => {
  it('sid: ends exactly the sessions of that provider session, as idp_logout, answering 200 no-store', async () => {
    const one = await signedIn('alice', 'sid-1');
    const other = await signedIn('alice', 'sid-2');
    await providerLogout(SID_CLIENT, 'alice', 'sid-1');

    expect(receiver.deliveries).toHaveLength(1);
    expect(receiver.deliveries[0]).toMatchObject({ status: 200, body: '' });
    expect(receiver.deliveries[0]?.cacheControl).toMatch(/no-store/);
    expect(await isLive(one.token)).toBe(false);
    expect(await isLive(other.token)).toBe(true);
    expect(await manager.get(one.session.id)).toMatchObject({
      status: 'REVOKED',
      endReason: 'idp_logout',
    });
    expect(revoked).toEqual([{ id: one.session.id, reason: 'idp_logout' }]);
  });

  it('sub only: ends every session of that user from this issuer, and nobody else’s', async () => {
    receiver.use(handler({ providers: [{ issuer: idp.issuer, clientId: SUB_CLIENT }] }).POST);
    const a = await signedIn('alice', 'sid-1');
    const b = await signedIn('alice', 'sid-2');
    const bob = await signedIn('bob', 'sid-3');
    const elsewhere = await signedIn('alice', 'sid-1', 'https://other-idp.example');
    await providerLogout(SUB_CLIENT, 'alice', 'sid-1');

    const [delivery] = receiver.deliveries;
    expect(delivery?.status).toBe(200);
    expect(
      JSON.parse(Buffer.from(delivery?.logoutToken?.split('.')[1] ?? '', 'base64url').toString()),
    ).not.toHaveProperty('sid');
    expect(await isLive(a.token)).toBe(false);
    expect(await isLive(b.token)).toBe(false);
    expect(await isLive(bob.token)).toBe(true);
    expect(await isLive(elsewhere.token)).toBe(true);
  });

  it('a replayed Logout Token (same jti) is refused with 400', async () => {
    await signedIn('alice', 'sid-1');
    await providerLogout(SID_CLIENT, 'alice', 'sid-1');
    const token = receiver.deliveries[0]?.logoutToken ?? '';
    const again = await signedIn('alice', 'sid-1');
    const h = handler();
    receiver.use(h.POST);
    // First delivery to this handler instance: accepted; a replay to it: refused.
    clock += 60_000; // `again` is now younger than the token, so even acceptance leaves it alone
    const later = await signedIn('alice', 'sid-1');
    const first = await post(h, new URLSearchParams({ logout_token: token }).toString());
    expect(first.status).toBe(200);
    const replay = await post(h, new URLSearchParams({ logout_token: token }).toString());
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_request' });
    // The token was issued before `later` signed in: no instance ends it with that token.
    expect(await isLive(later.token)).toBe(true);
    expect(await isLive(again.token)).toBe(false);
  });
});

describe('forged or malformed Logout Tokens: 400, nothing ends', () => {
  const cases: [string, () => Promise<string>][] = [
    [
      'signed with another key (same kid)',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return forge(undefined, {}, privateKey);
      },
    ],
    ['for another audience', () => forge((c) => ({ ...c, aud: 'someone-else' }))],
    ['from another issuer', () => forge((c) => ({ ...c, iss: 'https://evil.example' }))],
    [
      'issued too long ago',
      () => forge((c) => ({ ...c, iat: (c.iat as number) - 3600, exp: undefined })),
    ],
    ['issued in the future', () => forge((c) => ({ ...c, iat: (c.iat as number) + 3600 }))],
    [
      'expired',
      () => forge((c) => ({ ...c, iat: (c.iat as number) - 200, exp: (c.iat as number) - 100 })),
    ],
    ['without events', () => forge(({ events: _e, ...c }) => c)],
    [
      'with events lacking the back-channel event',
      () => forge((c) => ({ ...c, events: { 'urn:other': {} } })),
    ],
    ['with the event as a non-object', () => forge((c) => ({ ...c, events: { [EVENT]: 'yes' } }))],
    ['with a nonce (an ID Token)', () => forge((c) => ({ ...c, nonce: 'n-0S6_WzA2Mj' }))],
    ['with neither sid nor sub', () => forge(({ sid: _s, sub: _u, ...c }) => c)],
    ['without jti', () => forge(({ jti: _j, ...c }) => c)],
    ['without iat', () => forge(({ iat: _i, ...c }) => c)],
    ['typed as an access token', () => forge(undefined, { typ: 'at+jwt' })],
    [
      'signed with HS256 (alg confusion)',
      () => forge(undefined, { alg: 'HS256' }, new TextEncoder().encode('x'.repeat(32))),
    ],
    [
      'unsigned (alg none)',
      async () => {
        const [, p] = (await forge()).split('.');
        const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString(
          'base64url',
        );
        return `${none}.${p}.`;
      },
    ],
    ['encrypted-looking (five parts)', async () => 'a.b.c.d.e'],
    ['not a JWT at all', async () => 'hello'],
  ];

  for (const [name, make] of cases) {
    it(name, async () => {
      const session = await signedIn('alice', 'sid-1');
      const response = await post(
        handler(),
        new URLSearchParams({ logout_token: await make() }).toString(),
      );
      expect(response.status).toBe(400);
      expect(response.headers.get('cache-control')).toMatch(/no-store/);
      const body = (await response.json()) as { error: string; error_description: string };
      expect(body.error).toBe('invalid_request');
      expect(await isLive(session.token)).toBe(true);
      expect(revoked).toEqual([]);
    });
  }

  it('the same forged shape, correctly made, is accepted (the cases above fail for their one defect)', async () => {
    const session = await signedIn('alice', 'sid-1');
    const response = await post(
      handler(),
      new URLSearchParams({ logout_token: await forge() }).toString(),
    );
    expect(response.status).toBe(200);
    expect(await isLive(session.token)).toBe(false);
  });

  it('refuses a request that is not a form POST with one logout_token', async () => {
    const session = await signedIn('alice', 'sid-1');
    const token = await forge();
    const h = handler();
    expect(
      (await post(h, JSON.stringify({ logout_token: token }), 'application/json')).status,
    ).toBe(400);
    expect((await post(h, `logout_token=${token}&logout_token=${token}`)).status).toBe(400);
    expect((await post(h, '')).status).toBe(400);
    const get = await h.POST(new Request('http://127.0.0.1/x', { method: 'GET' }));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await isLive(session.token)).toBe(true);
  });
});

describe('failures and the Pages Router', () => {
  it('a store that cannot answer: 400 temporarily_unavailable, and the same token is accepted once it answers', async () => {
    const session = await signedIn('alice', 'sid-1');
    const token = await forge();
    const h = handler();
    const spy = vi
      .spyOn(manager, 'endFederatedSessions')
      .mockRejectedValueOnce(new Error('store down'));
    const down = await post(h, new URLSearchParams({ logout_token: token }).toString());
    expect(down.status).toBe(400);
    const text = await down.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(text).not.toContain(token.slice(-20));
    spy.mockRestore();
    const up = await post(h, new URLSearchParams({ logout_token: token }).toString());
    expect(up.status).toBe(200);
    expect(await isLive(session.token)).toBe(false);
  });

  it('Pages Router: reads a body Next already parsed, and a raw stream', async () => {
    const pages = createPagesBackchannelLogoutHandler({
      manager,
      providers: [{ issuer: idp.issuer, clientId: SID_CLIENT }],
    });
    const respond = () => {
      const res = {
        statusCode: 0,
        headers: {} as Record<string, unknown>,
        body: '' as string | undefined,
        setHeader(name: string, value: unknown) {
          this.headers[name.toLowerCase()] = value;
        },
        end(chunk?: string) {
          this.body = chunk;
        },
      };
      return res;
    };
    const one = await signedIn('alice', 'sid-1');
    const parsed = respond();
    await pages(
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: { logout_token: await forge() },
      } as never,
      parsed as never,
    );
    expect(parsed.statusCode).toBe(200);
    expect(parsed.headers['cache-control']).toMatch(/no-store/);
    expect(await isLive(one.token)).toBe(false);

    const two = await signedIn('alice', 'sid-1');
    const { Readable } = await import('node:stream');
    const stream = Object.assign(
      Readable.from([Buffer.from(new URLSearchParams({ logout_token: await forge() }).toString())]),
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    const raw = respond();
    await pages(stream as never, raw as never);
    expect(raw.statusCode).toBe(200);
    expect(await isLive(two.token)).toBe(false);

    const bad = respond();
    await pages(
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: { logout_token: 'nope' },
      } as never,
      bad as never,
    );
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body ?? '{}')).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses options it cannot work with', () => {
    expect(() => createBackchannelLogoutHandler({ manager, providers: [] })).toThrow(/providers/);
    expect(() =>
      createBackchannelLogoutHandler({
        manager,
        providers: [{ issuer: idp.issuer, clientId: 'x', algorithms: ['HS256'] }],
      }),
    ).toThrow(/asymmetric/);
    expect(() =>
      createBackchannelLogoutHandler({
        manager: {} as never,
        providers: [{ issuer: idp.issuer, clientId: 'x' }],
      }),
    ).toThrow(/manager/);
  });

  it('reads issuer and clientId from next-auth provider configs (v4 wellKnown / options, v5 issuer)', async () => {
    const session = await signedIn('alice', 'sid-1');
    const h = createBackchannelLogoutHandler({
      manager,
      providers: [
        {
          id: 'kc',
          wellKnown: `${idp.issuer}/.well-known/openid-configuration`,
          options: { clientId: SID_CLIENT },
        },
      ],
    });
    expect(
      (await post(h, new URLSearchParams({ logout_token: await forge() }).toString())).status,
    ).toBe(200);
    expect(await isLive(session.token)).toBe(false);
  });
});

describe('JWKS: cached, and rotated keys picked up', () => {
  let jwksServer: Server;
  let jwksUri: string;
  let keys: Record<string, unknown>[] = [];
  let fetches = 0;

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

  it('fetches the key set once for many tokens, refetches for a new kid, and drops a retired key', async () => {
    const a = await generateKeyPair('ES256', { extractable: true });
    const b = await generateKeyPair('ES256', { extractable: true });
    keys = [{ ...(await exportJWK(a.publicKey)), kid: 'a', alg: 'ES256', use: 'sig' }];
    fetches = 0;
    const h = handler({
      providers: [{ issuer: idp.issuer, clientId: SID_CLIENT, jwksUri }],
      jwks: { cooldownDuration: 0 },
    });
    const send = async (key: CryptoKey, kid: string) =>
      post(
        h,
        new URLSearchParams({
          logout_token: await forge(undefined, { alg: 'ES256', kid }, key),
        }).toString(),
      );
    const first = await signedIn('alice', 'sid-1');
    expect((await send(a.privateKey, 'a')).status).toBe(200);
    await signedIn('alice', 'sid-1');
    expect((await send(a.privateKey, 'a')).status).toBe(200);
    expect(fetches).toBe(1);
    expect(await isLive(first.token)).toBe(false);

    // The provider rotates to key b.
    keys = [{ ...(await exportJWK(b.publicKey)), kid: 'b', alg: 'ES256', use: 'sig' }];
    const second = await signedIn('alice', 'sid-1');
    expect((await send(b.privateKey, 'b')).status).toBe(200);
    expect(fetches).toBe(2);
    expect(await isLive(second.token)).toBe(false);
    // A token signed with the retired key no longer verifies.
    const third = await signedIn('alice', 'sid-1');
    expect((await send(a.privateKey, 'a')).status).toBe(400);
    expect(await isLive(third.token)).toBe(true);
  });
});
