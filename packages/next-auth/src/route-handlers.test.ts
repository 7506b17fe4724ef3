import {
  createMemoryStore,
  createSessionManager,
  MINUTE,
  SessionStoreError,
} from '@sessionkit/core';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createPagesSessionHandler,
  createSessionRouteHandlers,
  type TrackedSessionLike,
} from './route-handlers.js';
import { createFakeResponse } from './test-utils/next-auth-v4.js';
import {
  APP,
  type RouteWorld,
  read,
  routeWorld,
  request as sessionRequest,
} from './test-utils/route-world.js';
import { type TrackableAuthOptions, withSessionTracking } from './with-session-tracking.js';

const URL_ = `${APP}/api/sessions`;
type World = RouteWorld;
const world = routeWorld;
const request = (method: string, query = '', headers: Record<string, string> = {}) =>
  sessionRequest('/api/sessions', method, query, headers);

describe('createSessionRouteHandlers', () => {
  let w: World;
  let h: ReturnType<typeof createSessionRouteHandlers>;
  beforeEach(async () => {
    w = await world();
    h = createSessionRouteHandlers({ manager: w.manager, getSession: w.getSession });
  });

  describe('GET', () => {
    it("returns the caller's active sessions and currentSessionId, dates as ISO strings, no-store", async () => {
      await w.manager.revoke(w.alice[2]!.id);
      const res = await read(await h.GET(request('GET')));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = res.body as { sessions: Record<string, unknown>[]; currentSessionId: string };
      expect(body.currentSessionId).toBe(w.alice[0]!.id);
      expect(body.sessions.map((s) => s.id).sort()).toEqual(
        [w.alice[0]!.id, w.alice[1]!.id].sort(),
      );
      expect(body.sessions.every((s) => s.userId === 'alice' && s.status === 'ACTIVE')).toBe(true);
      expect(body.sessions[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      for (const token of w.tokens) expect(res.text).not.toContain(token);
    });

    it('pages with ?cursor=: every active session once, nextCursor null on the last page', async () => {
      const manager = createSessionManager({
        store: createMemoryStore(),
        maxSessionsPerUser: null,
      });
      const own = await manager.create({ userId: 'carol' });
      for (let i = 0; i < 119; i++) await manager.create({ userId: 'carol' });
      const carol = createSessionRouteHandlers({
        manager,
        getSession: () => ({ sessionId: own.session.id, user: { id: 'carol' } }),
      });
      const first = await read(await carol.GET(request('GET')));
      const page1 = first.body as { sessions: { id: string }[]; nextCursor: string | null };
      expect(page1.sessions).toHaveLength(100);
      expect(page1.nextCursor).toEqual(expect.any(String));
      const second = await read(
        await carol.GET(request('GET', `?cursor=${encodeURIComponent(page1.nextCursor ?? '')}`)),
      );
      const page2 = second.body as { sessions: { id: string }[]; nextCursor: string | null };
      expect(second.status).toBe(200);
      expect(page2.nextCursor).toBeNull();
      const ids = [...page1.sessions, ...page2.sessions].map((s) => s.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(120);
    });

    it('answers 400 to a malformed or repeated cursor, never 500', async () => {
      for (const query of [
        '?cursor=',
        '?cursor=%00',
        '?cursor=a.zz',
        `?cursor=${'x'.repeat(300)}`,
        '?cursor=a.&cursor=a.',
        '?cursor=q.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      ]) {
        const res = await read(await h.GET(request('GET', query)));
        expect(res.status, query).toBe(400);
        expect(res.body).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      }
    });

    it('takes the owner from the verified session, never from the request', async () => {
      const res = await read(
        await h.GET(request('GET', '?userId=bob', { 'x-user-id': 'bob', cookie: 'userId=bob' })),
      );
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(w.bob[0]!.id);
      expect(w.getSession).toHaveBeenCalledWith(expect.any(Request));
    });
  });

  describe('401', () => {
    const unauthenticated: [string, TrackedSessionLike | null][] = [
      ['no session', null],
      ['no sessionId (an untracked NextAuth session)', { user: { id: 'alice' } }],
      ['a malformed sessionId', { sessionId: 'abc', user: { id: 'alice' } }],
      ['no user id', { sessionId: 'x'.repeat(28), user: {} }],
      ['an empty user id', { sessionId: 'x'.repeat(28), user: { id: '' } }],
    ];
    for (const [name, session] of unauthenticated) {
      it(`every method answers 401 UNAUTHORIZED for ${name}`, async () => {
        w.caller.current = session;
        for (const method of ['GET', 'DELETE', 'PATCH'] as const) {
          const res = await read(await h[method](request(method, '?revokeAll=true')));
          expect(res.status).toBe(401);
          expect(res.body).toEqual({
            error: { code: 'UNAUTHORIZED', message: expect.any(String) },
          });
          expect(res.headers.get('cache-control')).toBe('no-store');
        }
        expect((await w.manager.list('alice')).length).toBe(3);
      });
    }

    it('answers 401 SESSION_ENDED when the caller’s own tracked session was revoked, expired or is not theirs', async () => {
      await w.manager.revoke(w.alice[0]!.id);
      for (const method of ['GET', 'DELETE', 'PATCH'] as const) {
        const res = await read(await h[method](request(method, '?revokeAll=true')));
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ error: { code: 'SESSION_ENDED' } });
      }
      expect((await w.manager.list('alice')).length).toBe(2);

      // a session id of someone else's, claimed by a forged/stale session object
      w.caller.current = { sessionId: w.bob[0]!.id, user: { id: 'alice' } };
      expect((await h.GET(request('GET'))).status).toBe(401);

      w.caller.current = { sessionId: w.alice[1]!.id, user: { id: 'alice' } };
      w.advance(31 * 24 * 60 * MINUTE);
      expect((await h.GET(request('GET'))).status).toBe(401);
    });
  });

  describe('DELETE', () => {
    it('revokes one of the caller’s other sessions: 200 { revoked: 1 }', async () => {
      const res = await read(await h.DELETE(request('DELETE', `?sessionId=${w.alice[1]!.id}`)));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ revoked: 1 });
      expect((await w.manager.get(w.alice[1]!.id))?.status).toBe('REVOKED');
      expect((await w.manager.get(w.alice[0]!.id))?.status).toBe('ACTIVE');
    });

    it('revokes the current session when asked by id', async () => {
      const res = await read(await h.DELETE(request('DELETE', `?sessionId=${w.alice[0]!.id}`)));
      expect(res.body).toEqual({ revoked: 1 });
      expect((await w.manager.get(w.alice[0]!.id))?.status).toBe('REVOKED');
    });

    it("answers 404 for another user's session and leaves it alone", async () => {
      const res = await read(await h.DELETE(request('DELETE', `?sessionId=${w.bob[0]!.id}`)));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect((await w.manager.get(w.bob[0]!.id))?.status).toBe('ACTIVE');
    });

    it('answers 404 for an unknown or already ended session id', async () => {
      const unknown = `${w.alice[1]!.id.slice(0, 6)}${'A'.repeat(22)}`;
      expect((await h.DELETE(request('DELETE', `?sessionId=${unknown}`))).status).toBe(404);
      await w.manager.revoke(w.alice[1]!.id);
      expect((await h.DELETE(request('DELETE', `?sessionId=${w.alice[1]!.id}`))).status).toBe(404);
    });

    it('revokeAll=true revokes every session but the current one: { revoked: n }', async () => {
      const res = await read(await h.DELETE(request('DELETE', '?revokeAll=true')));
      expect(res.body).toEqual({ revoked: 2 });
      expect((await w.manager.list('alice')).map((s) => s.id)).toEqual([w.alice[0]!.id]);
      expect((await w.manager.get(w.bob[0]!.id))?.status).toBe('ACTIVE');
      // Recorded as "signed out everywhere", which the other devices are told.
      expect((await w.manager.get(w.alice[1]!.id))?.endReason).toBe('revoked_all');
    });

    it('rejects anything but exactly one well-formed sessionId or revokeAll=true with 400', async () => {
      const id = w.alice[1]!.id;
      const bad = [
        '',
        '?',
        '?sessionId=',
        '?sessionId',
        `?sessionId=${id.slice(1)}`,
        `?sessionId=${id}A`,
        `?sessionId=${id.slice(1)}+`,
        `?sessionId=${id.slice(1)}%2F`,
        `?sessionId=${id}&sessionId=${id}`,
        `?sessionId=${id}&sessionId=${w.alice[2]!.id}`,
        `?sessionId=${id}&revokeAll=true`,
        `?revokeAll=true&sessionId=${id}`,
        '?revokeAll=true&revokeAll=true',
        '?revokeAll=TRUE',
        '?revokeAll=1',
        '?revokeAll=',
        '?revokeAll',
        '?revokeAll=true&x=1',
        `?sessionid=${id}`,
        `?SessionId=${id}`,
        `?sessionId[]=${id}`,
        '?foo=bar',
      ];
      for (const query of bad) {
        const res = await read(await h.DELETE(request('DELETE', query)));
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      }
      expect((await w.manager.list('alice')).length).toBe(3);
    });
  });

  describe('cross-site requests', () => {
    const crossSite: [string, Record<string, string>][] = [
      ['a foreign Origin', { origin: 'https://evil.example' }],
      ['a sibling subdomain', { origin: 'https://evil.app.example.com' }],
      ['another scheme + port', { origin: 'http://app.example.com:8080' }],
      ['the same host over http (an https app)', { origin: 'http://app.example.com' }],
      [
        'the same host over http with X-Forwarded-Proto: http (no trustProxy)',
        { origin: 'http://app.example.com', 'x-forwarded-proto': 'http' },
      ],
      ['Origin: null', { origin: 'null' }],
      ['a garbled Origin', { origin: 'not a url' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      [
        'Sec-Fetch-Site: cross-site with a same Origin',
        { 'sec-fetch-site': 'cross-site', origin: APP },
      ],
    ];
    for (const [name, headers] of crossSite) {
      it(`DELETE and PATCH with ${name} → 403, nothing read or changed`, async () => {
        for (const method of ['DELETE', 'PATCH'] as const) {
          const res = await read(await h[method](request(method, '?revokeAll=true', headers)));
          expect(res.status).toBe(403);
          expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
          expect(res.headers.get('cache-control')).toBe('no-store');
        }
        expect(w.getSession).not.toHaveBeenCalled();
        expect((await w.manager.list('alice')).length).toBe(3);
      });
    }

    it('allows the same origin, the Host / X-Forwarded-Host the browser addressed, and allowedOrigins', async () => {
      expect((await h.DELETE(request('DELETE', '?revokeAll=true', { origin: APP }))).status).toBe(
        200,
      );
      expect(
        (await h.PATCH(request('PATCH', '', { 'sec-fetch-site': 'same-origin', origin: APP })))
          .status,
      ).toBe(200);

      // behind a TLS-terminating proxy: the app sees an internal http URL, the
      // browser a public https one; the scheme comes from X-Forwarded-Proto only
      // under trustProxy
      const internal = (headers: Record<string, string>) =>
        new Request('http://10.0.0.5:3000/api/sessions', { method: 'PATCH', headers });
      const proxied = createSessionRouteHandlers({
        manager: w.manager,
        getSession: w.getSession,
        trustProxy: true,
      });
      const https = { 'x-forwarded-proto': 'https' };
      expect(
        (
          await proxied.PATCH(
            internal({ origin: APP, 'x-forwarded-host': 'app.example.com', ...https }),
          )
        ).status,
      ).toBe(200);
      expect(
        (await proxied.PATCH(internal({ origin: APP, host: 'app.example.com', ...https }))).status,
      ).toBe(200);
      expect((await proxied.PATCH(internal({ origin: APP, ...https }))).status).toBe(403);
      // the host matches but the scheme does not
      expect((await proxied.PATCH(internal({ origin: APP, host: 'app.example.com' }))).status).toBe(
        403,
      );
      expect(
        (
          await proxied.PATCH(
            internal({ origin: 'http://app.example.com', host: 'app.example.com', ...https }),
          )
        ).status,
      ).toBe(403);
      // without trustProxy the forwarded scheme is not believed
      expect(
        (await h.PATCH(internal({ origin: APP, host: 'app.example.com', ...https }))).status,
      ).toBe(403);

      const allowing = createSessionRouteHandlers({
        manager: w.manager,
        getSession: w.getSession,
        allowedOrigins: ['https://app.example.com'],
      });
      expect((await allowing.PATCH(internal({ origin: APP }))).status).toBe(200);
    });

    it('GET is not blocked by Origin (reading is protected by CORS, not by this check)', async () => {
      expect((await h.GET(request('GET', '', { origin: 'https://evil.example' }))).status).toBe(
        200,
      );
    });
  });

  describe('PATCH', () => {
    it('records activity through the session read and returns the current session', async () => {
      // getSession as NextAuth runs it: the jwt callback validates (and touches), the session callback shapes.
      const options = withSessionTracking(
        { session: { strategy: 'jwt' } } as TrackableAuthOptions,
        { manager: w.manager, getHeaders: () => null },
      );
      const jwt = options.callbacks!.jwt as unknown as (
        p: unknown,
      ) => Promise<Record<string, unknown> | null>;
      const session = options.callbacks!.session as unknown as (
        p: unknown,
      ) => Promise<TrackedSessionLike>;
      const signedIn = await jwt({
        token: { sub: 'alice' },
        user: { id: 'alice' },
        trigger: 'signIn',
      });
      const handlers = createSessionRouteHandlers({
        manager: w.manager,
        getSession: async () => {
          const token = await jwt({ token: signedIn });
          return token ? session({ session: { user: {}, expires: '' }, token }) : null;
        },
      });
      const id = (signedIn!.sessionkit as { id: string }).id;
      const before = (await w.manager.get(id))!.lastActivityAt.getTime();

      w.advance(5 * MINUTE);
      const res = await read(await handlers.PATCH(request('PATCH', '', { origin: APP })));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, session: { id, status: 'ACTIVE' } });
      const after = (await w.manager.get(id))!.lastActivityAt.getTime();
      expect(after).toBe(w.now());
      expect(after).toBeGreaterThan(before);
      expect(JSON.stringify(res.body)).not.toContain(
        (signedIn!.sessionkit as { token: string }).token,
      );
    });
  });

  describe('failures', () => {
    it('answers 503 STORE_UNAVAILABLE as JSON when the store is down', async () => {
      w.setDown(true);
      for (const method of ['GET', 'DELETE', 'PATCH'] as const) {
        const res = await read(await h[method](request(method, '?revokeAll=true')));
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.text).not.toContain('ECONNREFUSED');
      }
    });

    it('maps a SessionStoreError thrown by getSession to 503 and anything else to an opaque 500', async () => {
      w.getSession.mockRejectedValueOnce(new SessionStoreError('validate', new Error('down')));
      expect((await h.GET(request('GET'))).status).toBe(503);
      w.getSession.mockRejectedValueOnce(new Error(`secret ${w.tokens[0]}`));
      const res = await read(await h.GET(request('GET')));
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
      expect(res.text).not.toContain(w.tokens[0]);
    });

    it('maps sessionkit errors by their code, so errors from the other build of core (ESM vs CJS) are not a 500', async () => {
      // What `instanceof` cannot see: the same class loaded twice (an app's manager
      // from core's CJS build, this package's import from its ESM build).
      class ForeignStoreError extends Error {
        readonly code = 'STORE_UNAVAILABLE';
      }
      class ForeignInputError extends Error {
        readonly code = 'INVALID_INPUT';
      }
      w.getSession.mockRejectedValueOnce(new ForeignStoreError('down'));
      const down = await read(await h.GET(request('GET')));
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
      w.getSession.mockRejectedValueOnce(new ForeignInputError('bad'));
      expect((await h.GET(request('GET'))).status).toBe(400);
    });

    it('refuses to be built without a manager or getSession', () => {
      expect(() => createSessionRouteHandlers({ getSession: w.getSession } as never)).toThrow(
        /manager/,
      );
      expect(() => createSessionRouteHandlers({ manager: w.manager } as never)).toThrow(
        /getSession/,
      );
      expect(() =>
        createSessionRouteHandlers({
          manager: w.manager,
          getSession: w.getSession,
          allowedOrigins: ['nope'],
        }),
      ).toThrow(/allowedOrigins/);
    });
  });

  it('fuzz: arbitrary methods, queries and headers never reach another user, never leak a token, never 5xx', async () => {
    const ids = [...w.alice, ...w.bob].map((s) => s.id);
    const key = fc.oneof(
      fc.constantFrom('sessionId', 'revokeAll', 'sessionid', 'userId', 'revokeall', ''),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      fc.constantFrom(...ids, 'true', 'TRUE', 'false', '', '1', w.bob[0]!.id.toLowerCase()),
      fc.string({ maxLength: 40 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{26,30}$/),
    );
    const query = fc
      .array(fc.tuple(key, value, fc.boolean()), { maxLength: 4 })
      .map((pairs) => {
        const params = pairs.map(([k, v, raw]) =>
          raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
        );
        return params.length ? `?${params.join('&')}` : '';
      })
      .filter((q) => {
        try {
          new URL(`${URL_}${q}`);
          return true;
        } catch {
          return false;
        }
      });
    const headers = fc.record(
      {
        origin: fc.constantFrom(
          APP,
          'https://evil.example',
          'null',
          'http://app.example.com',
          '',
          'x',
        ),
        'sec-fetch-site': fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none'),
        'x-forwarded-host': fc.constantFrom('app.example.com', 'evil.example'),
        cookie: fc.constant('next-auth.session-token=forged'),
      },
      { requiredKeys: [] },
    );
    const caller = fc.constantFrom<TrackedSessionLike | null>(
      { sessionId: w.alice[0]!.id, user: { id: 'alice' } },
      { sessionId: w.alice[0]!.id, user: { id: 'bob' } },
      { sessionId: 'short', user: { id: 'alice' } },
      null,
    );

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'DELETE', 'PATCH' as const),
        query,
        headers,
        caller,
        async (method, q, hdrs, who) => {
          w.caller.current = who;
          const res = await h[method as 'GET'](
            new Request(`${URL_}${q}`, { method, headers: { host: 'app.example.com', ...hdrs } }),
          );
          const text = await res.text();
          expect([200, 400, 401, 403, 404]).toContain(res.status);
          expect(res.headers.get('cache-control')).toBe('no-store');
          const body = JSON.parse(text);
          if (res.status !== 200) expect(body.error.code).toEqual(expect.any(String));
          for (const token of w.tokens) expect(text).not.toContain(token);
          // bob is never the caller's owner: his session stays active whatever was sent
          expect((await w.manager.get(w.bob[0]!.id))?.status).toBe('ACTIVE');
          if (method === 'DELETE' && res.status === 200) {
            const params = [...new URL(`${URL_}${q}`).searchParams];
            expect(params).toHaveLength(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('createPagesSessionHandler', () => {
  let w: World;
  let handler: ReturnType<typeof createPagesSessionHandler>;
  beforeEach(async () => {
    w = await world();
    handler = createPagesSessionHandler({ manager: w.manager, getSession: w.getSession });
  });

  // an https server (the connection is TLS)
  async function call(method: string, url: string, headers: Record<string, string> = {}) {
    const { res, result } = createFakeResponse();
    await handler(
      {
        method,
        url,
        headers: { host: 'app.example.com', ...headers },
        socket: { encrypted: true },
      },
      res as never,
    );
    return result();
  }

  it('compares the scheme too: X-Forwarded-Proto counts only under trustProxy', async () => {
    const behindProxy = (trustProxy: boolean, headers: Record<string, string>) => {
      const { res, result } = createFakeResponse();
      return createPagesSessionHandler({
        manager: w.manager,
        getSession: w.getSession,
        trustProxy,
      })(
        {
          method: 'PATCH',
          url: '/api/sessions',
          headers: { host: 'app.example.com', ...headers },
          socket: { encrypted: false },
        },
        res as never,
      ).then(result);
    };
    const https = { 'x-forwarded-proto': 'https' };
    expect((await behindProxy(true, { origin: APP, ...https })).status).toBe(200);
    expect((await behindProxy(false, { origin: APP, ...https })).status).toBe(403);
    expect((await behindProxy(true, { origin: 'http://app.example.com', ...https })).status).toBe(
      403,
    );
    expect(
      (await call('PATCH', '/api/sessions', { origin: 'http://app.example.com' })).status,
    ).toBe(403);
  });

  it('serves GET, DELETE and PATCH like the App Router handlers', async () => {
    const list = await call('GET', '/api/sessions');
    expect(list.status).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.body).toMatchObject({ currentSessionId: w.alice[0]!.id });
    expect((list.body as { sessions: unknown[] }).sessions).toHaveLength(3);

    const one = await call('DELETE', `/api/sessions?sessionId=${w.alice[1]!.id}`, { origin: APP });
    expect(one.body).toEqual({ revoked: 1 });
    expect((await call('DELETE', `/api/sessions?sessionId=${w.bob[0]!.id}`)).status).toBe(404);
    expect((await call('DELETE', '/api/sessions?revokeAll=true&x')).status).toBe(400);
    expect((await call('DELETE', '/api/sessions?revokeAll=true')).body).toEqual({ revoked: 1 });
    expect((await call('PATCH', '/api/sessions', { origin: APP })).status).toBe(200);
  });

  it('fuzz: any method string and query never errors with 5xx and never ends a session of another user', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom('GET', 'DELETE', 'PATCH', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'get'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(
          fc.constant(`?sessionId=${w.bob[0]!.id}`),
          fc.constant('?revokeAll=true'),
          fc.string({ maxLength: 30 }).map((q) => `?${q}`),
        ),
        async (method, query) => {
          const res = await call(method, `/api/sessions${query}`);
          expect([200, 400, 401, 403, 404, 405]).toContain(res.status);
          expect(res.headers['cache-control']).toBe('no-store');
          expect((await w.manager.get(w.bob[0]!.id))?.status).toBe('ACTIVE');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers 405 with Allow for other methods, 403 cross-site, 401 signed out, 503 store down', async () => {
    const post = await call('POST', '/api/sessions');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, DELETE, PATCH');
    expect(
      (await call('DELETE', '/api/sessions?revokeAll=true', { origin: 'https://evil.example' }))
        .status,
    ).toBe(403);
    w.caller.current = null;
    expect((await call('GET', '/api/sessions')).status).toBe(401);
    w.caller.current = { sessionId: w.alice[0]!.id, user: { id: 'alice' } };
    w.setDown(true);
    expect((await call('GET', '/api/sessions')).body).toMatchObject({
      error: { code: 'STORE_UNAVAILABLE' },
    });
  });
});

describe('with a real store behind the manager', () => {
  it('lists only ACTIVE sessions, newest activity first', async () => {
    let now = 1_000_000;
    const manager = createSessionManager({
      store: createMemoryStore({ now: () => now }),
      now: () => now,
    });
    const a = await manager.create({ userId: 'u' });
    now += 10;
    const b = await manager.create({ userId: 'u' });
    const h = createSessionRouteHandlers({
      manager,
      getSession: () => ({ sessionId: a.session.id, user: { id: 'u' } }),
    });
    const body = (await (await h.GET(request('GET'))).json()) as { sessions: { id: string }[] };
    expect(body.sessions.map((s) => s.id)).toEqual([b.session.id, a.session.id]);
  });
});
