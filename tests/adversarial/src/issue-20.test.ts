// Issue 20, attacked for real: a thief who outruns refresh-reuse detection
// across two app servers (one redis-server and a 3-master Redis Cluster),
// forged "older generation" tokens built from a leaked session id, planted
// and duplicated device-id cookies, the offline owner search on session ids,
// and metadata whose toJSON() turns it into something else.
import {
  createMemoryStore,
  createSessionManager,
  InvalidInputError,
  legacyUserShard,
  readDeviceIdCookie,
  type SessionManager,
  type SessionStore,
} from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { startRedisCluster, startRedisServer } from '@sessionkit-internal/test-support';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'adversarial-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const quiet = { warn() {}, error() {} };
type Client = Redis | Cluster;

function twoServers(clients: [Client, Client], prefix: string): [SessionManager, SessionManager] {
  const make = (client: Client) =>
    createSessionManager({
      store: createRedisStore({ client, prefix }),
      refreshTokens: true,
      secret: SECRET,
      logger: quiet,
    });
  return [make(clients[0]), make(clients[1])];
}

async function outrun(a: SessionManager, b: SessionManager, user: string): Promise<void> {
  const reuse: string[] = [];
  b.on('refreshReuse', ({ session }) => {
    reuse.push(session.id);
  });
  const { session, refreshToken: stolen } = await a.create({ userId: user });
  let thief = stolen as string;
  // 40 rotations, alternating servers: twice the old retired window.
  for (let i = 0; i < 40; i++) {
    const next = await (i % 2 === 0 ? a : b).refresh(thief);
    thief = next?.refreshToken as string;
    expect(thief).toBeTypeOf('string');
  }
  expect(await b.refresh(stolen as string)).toBeNull();
  expect(reuse).toEqual([session.id]);
  expect((await a.get(session.id))?.endReason).toBe('refresh_token_reuse');
  expect(await a.refresh(thief)).toBeNull();
}

describe.each([
  ['standalone', 'standalone'],
  ['3-master cluster', 'cluster'],
] as const)('refresh reuse cannot be outrun (Redis %s)', (_name, kind) => {
  let clients: [Client, Client];
  let stop: () => Promise<void>;
  let n = 0;

  beforeAll(async () => {
    if (kind === 'standalone') {
      const server = await startRedisServer();
      const connect = () => new Redis({ host: '127.0.0.1', port: server.port });
      clients = [connect(), connect()];
      stop = server.stop;
    } else {
      const nodes = await startRedisCluster(3);
      const connect = () => new Cluster(nodes.ports.map((port) => ({ host: '127.0.0.1', port })));
      clients = [connect(), connect()];
      stop = nodes.stop;
    }
  }, 60_000);

  afterAll(async () => {
    for (const c of clients ?? []) c.disconnect();
    await stop?.();
  });

  it('40 rotations across two app servers, then the victim comes back: revoked', async () => {
    const [a, b] = twoServers(clients, `i20-${n++}:`);
    await outrun(a, b, `victim-${n}`);
  });

  it('forged older-generation tokens for a known session id never revoke it', async () => {
    const [a, b] = twoServers(clients, `i20-${n++}:`);
    const { session, refreshToken } = await a.create({ userId: `victim-${n}` });
    const reuse: unknown[] = [];
    for (const m of [a, b]) {
      m.on('refreshReuse', (e) => {
        reuse.push(e);
      });
    }
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789_-'),
          minLength: 43,
          maxLength: 43,
        }),
        fc.nat({ max: 50 }),
        fc.string({
          unit: fc.constantFrom(...'ABCDEFabcdef0123456789_-'),
          minLength: 22,
          maxLength: 22,
        }),
        async (secret, generation, tag) => {
          const forged = `${session.id}${secret}.${generation.toString(36)}.${tag}`;
          expect(await b.refresh(forged)).toBeNull();
        },
      ),
      { numRuns: 60 },
    );
    expect(reuse).toEqual([]);
    expect((await a.get(session.id))?.status).toBe('ACTIVE');
    expect(await a.refresh(refreshToken as string)).not.toBeNull();
  });
});

describe('session ids do not name their owner', () => {
  it('an offline search over 200,000 candidate user ids does not find the owner', async () => {
    const manager = createSessionManager({
      store: createMemoryStore(),
      secret: SECRET,
      logger: quiet,
    });
    const owner = 'alice@example.com';
    const { session } = await manager.create({ userId: owner });
    const shard = session.id.slice(0, 6);
    const candidates = [
      owner,
      ...Array.from({ length: 200_000 }, (_, i) => `user${i}@example.com`),
    ];
    expect(candidates.filter((c) => legacyUserShard(c) === shard)).not.toContain(owner);
  });
});

describe('device-id cookies cannot be planted', () => {
  const cookieName = fc.constantFrom('sessionkit.device-id', '__Host-sessionkit.device-id');
  const id = fc.string({
    unit: fc.constantFrom(...'ABCDEFabcdef0123456789_-'),
    minLength: 22,
    maxLength: 22,
  });

  it('a name sent twice is never trusted, whichever copy comes first', () => {
    fc.assert(
      fc.property(
        cookieName,
        id,
        id,
        fc.array(fc.constantFrom('a=1', 'b=2'), { maxLength: 3 }),
        (name, x, y, noise) => {
          const header = [...noise, `${name}=${x}`, ...noise, `${name}=${y}`].join('; ');
          const read = readDeviceIdCookie(new Headers({ cookie: header }));
          expect(read).toBeNull();
        },
      ),
    );
  });

  it('the __Host- cookie wins over a plain one a sibling subdomain may have tossed', () => {
    fc.assert(
      fc.property(id, id, (mine, tossed) => {
        const header = `sessionkit.device-id=${tossed}; __Host-sessionkit.device-id=${mine}`;
        expect(readDeviceIdCookie(new Headers({ cookie: header }))).toBe(mine);
      }),
    );
  });

  it('a planted id stops being recognised once the owner signs in again', async () => {
    const manager = createSessionManager({
      store: createMemoryStore(),
      secret: SECRET,
      logger: quiet,
    });
    const alerts: string[] = [];
    manager.on('newDevice', ({ session }) => {
      alerts.push(session.ipAddress ?? '');
    });
    const planted = 'PlantedByTheAttacker_0';
    const ua =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const signIn = (cookie: string, ip: string) =>
      manager.create({
        userId: 'victim',
        ipAddress: ip,
        headers: new Headers({ 'user-agent': ua, cookie }),
      });
    // The victim signs in with the planted cookie (first time: one alert), then again.
    const first = await signIn(`sessionkit.device-id=${planted}`, '198.51.100.1');
    await signIn(`__Host-sessionkit.device-id=${first.deviceId}`, '198.51.100.1');
    // The attacker, with the password, the planted id and the same browser and OS.
    await signIn(`sessionkit.device-id=${planted}`, '203.0.113.66');
    expect(alerts).toEqual(['198.51.100.1', '203.0.113.66']);
  });
});

describe('metadata is a plain object once stored, on every store', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    client = new Redis({ host: '127.0.0.1', port: server.port });
  }, 60_000);
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('whatever toJSON() returns, the stored metadata is a plain object or the call is refused', async () => {
    const stores: SessionStore[] = [
      createMemoryStore(),
      createRedisStore({ client, prefix: 'i20-meta:' }),
    ];
    for (const store of stores) {
      const manager = createSessionManager({ store, secret: SECRET, logger: quiet });
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const metadata = { toJSON: () => value } as unknown as Record<string, unknown>;
          try {
            const { session } = await manager.create({ userId: 'meta', metadata });
            const stored = (await store.get(session.id))?.metadata;
            expect(stored !== null && typeof stored === 'object' && !Array.isArray(stored)).toBe(
              true,
            );
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidInputError);
          }
        }),
        { numRuns: 80 },
      );
    }
  });
});
