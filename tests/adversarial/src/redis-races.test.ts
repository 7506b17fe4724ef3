// The four races of the issue, run for real: two manager instances on two
// separate ioredis clients (as two app servers would be) against one
// redis-server and against a 3-master Redis Cluster, with fast-check varying
// how the calls are staggered. The
// conformance suite covers the same races under fc.scheduler within one
// manager; here the interleaving is Redis's own, across connections.
import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
} from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { startRedisCluster, startRedisServer } from '@sessionkit-internal/test-support';
import fc from 'fast-check';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Client = Redis | Cluster;

interface Deployment {
  clients: [Client, Client];
  stop(): Promise<void>;
}

/** Two connections to one standalone redis-server. */
async function standalone(): Promise<Deployment> {
  const server = await startRedisServer();
  const connect = () => new Redis({ host: '127.0.0.1', port: server.port });
  const clients: [Client, Client] = [connect(), connect()];
  return {
    clients,
    async stop() {
      for (const c of clients) c.disconnect();
      await server.stop();
    },
  };
}

/** Two cluster clients (each with its own connections) to one 3-master Redis Cluster. */
async function cluster(): Promise<Deployment> {
  const nodes = await startRedisCluster(3);
  const connect = () => new Cluster(nodes.ports.map((port) => ({ host: '127.0.0.1', port })));
  const clients: [Client, Client] = [connect(), connect()];
  return {
    clients,
    async stop() {
      for (const c of clients) c.disconnect();
      await nodes.stop();
    },
  };
}

let clients: [Client, Client];
let run = 0;

/** Two "app servers": one manager per connection, same prefix, same clock. */
function twoServers(options: Partial<SessionManagerOptions> = {}): {
  a: SessionManager;
  b: SessionManager;
  user: string;
  advance(ms: number): void;
} {
  const prefix = `race${run++}:`;
  let now = Date.now();
  const make = (client: Client) =>
    createSessionManager({
      store: createRedisStore({ client, prefix, now: () => now }),
      now: () => now,
      logger: { warn() {}, error() {} },
      ...options,
    });
  return {
    a: make(clients[0]),
    b: make(clients[1]),
    user: `racer-${run}`,
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Starts `call` after `ticks` turns of the event loop, so fast-check staggers the racers. */
const staggered = <T>(ticks: number, call: () => Promise<T>): Promise<T> =>
  new Promise<void>((resolve) => {
    const step = (left: number) => (left <= 0 ? resolve() : setImmediate(() => step(left - 1)));
    step(ticks);
  }).then(call);

const ticks = fc.integer({ min: 0, max: 3 });
const RUNS = 40;

describe.each([
  ['a standalone redis-server', standalone],
  ['a 3-master Redis Cluster', cluster],
] as const)('races across two connections and two manager instances on %s', (_, start) => {
  let deployment: Deployment | undefined;

  beforeAll(async () => {
    deployment = await start();
    clients = deployment.clients;
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it('revoke() on one server racing validate()/touch() on the other always leaves the session revoked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ticks, { minLength: 5, maxLength: 5 }),
        async ([t0, t1, t2, t3, t4]) => {
          const { a, b, advance } = twoServers({ touchInterval: 0 });
          const { session, token } = await a.create({ userId: 'r1' });
          advance(5000); // every validate/touch is due to write activity
          await Promise.all([
            staggered(t0 ?? 0, () => b.validate(token)),
            staggered(t1 ?? 0, () => b.touch(token)),
            staggered(t2 ?? 0, () => a.revoke(session.id)),
            staggered(t3 ?? 0, () => b.touch(token)),
            staggered(t4 ?? 0, () => a.validate(token)),
          ]);
          expect((await a.get(session.id))?.status).toBe('REVOKED');
          expect(await a.validate(token)).toBeNull();
          expect(await b.validate(token)).toBeNull();
          expect(await b.touch(token)).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('revokeAll() on one server racing creates on both ends every session created before it began, and counts add up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ticks, { minLength: 5, maxLength: 5 }),
        async ([t0, ...creates]) => {
          const { a, b, user } = twoServers();
          const before = await Promise.all(
            [1, 2, 3].map((i) => (i % 2 ? a : b).create({ userId: user })),
          );
          const [count, ...created] = await Promise.all([
            staggered(t0 ?? 0, () => a.revokeAll(user)),
            ...creates.map((t, i) => staggered(t, () => (i % 2 ? a : b).create({ userId: user }))),
          ]);
          for (const { token } of before) {
            expect(await a.validate(token)).toBeNull();
            expect(await b.validate(token)).toBeNull();
          }
          // Each racing create either ended in the revokeAll or is live now, never both.
          const liveAfter = (await b.list(user)).length;
          expect((count as number) + liveAfter).toBe(before.length + created.length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each(['reject', 'revoke-oldest'] as const)(
    "concurrent creates on two servers never exceed maxSessionsPerUser ('%s')",
    async (policy) => {
      await fc.assert(
        fc.asyncProperty(fc.array(ticks, { minLength: 6, maxLength: 6 }), async (staggers) => {
          const { a, b, user, advance } = twoServers({
            maxSessionsPerUser: 2,
            onSessionLimit: policy,
          });
          const first = await a.create({ userId: user });
          advance(1); // the racers are younger than the first session (they share one creation time)
          const results = await Promise.allSettled(
            staggers.map((t, i) => staggered(t, () => (i % 2 ? a : b).create({ userId: user }))),
          );
          const liveNow = await a.list(user);
          expect(liveNow).toHaveLength(2);
          const fulfilled = results.filter((r) => r.status === 'fulfilled');
          if (policy === 'reject') {
            expect(fulfilled).toHaveLength(1);
            for (const r of results) {
              if (r.status === 'rejected')
                expect((r.reason as { code?: string }).code).toBe('SESSION_LIMIT');
            }
          } else {
            expect(fulfilled).toHaveLength(staggers.length);
            // The oldest session is evicted first; two of the racers survive.
            expect(await b.validate(first.token)).toBeNull();
            const tokens = fulfilled.map(
              (r) => (r as PromiseFulfilledResult<{ token: string }>).value.token,
            );
            const valid = (await Promise.all(tokens.map((t) => b.validate(t)))).filter(
              (s) => s !== null,
            );
            expect(valid).toHaveLength(2);
          }
        }),
        { numRuns: RUNS },
      );
    },
  );

  it('strict (refreshReuseGrace: 0): two servers refreshing with one refresh token at once: exactly one gets new tokens, the replay revokes the session', async () => {
    await fc.assert(
      fc.asyncProperty(ticks, ticks, async (ta, tb) => {
        const { a, b } = twoServers({ refreshTokens: true, refreshReuseGrace: 0 });
        const { session, refreshToken } = await a.create({ userId: 'r4' });
        const results = await Promise.all([
          staggered(ta, () => a.refresh(refreshToken as string)),
          staggered(tb, () => b.refresh(refreshToken as string)),
        ]);
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(await b.get(session.id)).toMatchObject({
          status: 'REVOKED',
          endReason: 'refresh_token_reuse',
        });
        // The winner's fresh pair is dead too: reuse ends the whole session.
        expect(await a.validate(winners[0]?.token as string)).toBeNull();
        expect(await b.refresh(winners[0]?.refreshToken as string)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('two servers sharing the secret refreshing with one refresh token at once (reuse grace): both get the same pair, the session stays active', async () => {
    await fc.assert(
      fc.asyncProperty(ticks, ticks, async (ta, tb) => {
        const { a, b } = twoServers({
          refreshTokens: true,
          secret: 'redis-races-shared-secret-0123456789abcdef',
        });
        const { session, refreshToken } = await a.create({ userId: 'r5' });
        const [ra, rb] = await Promise.all([
          staggered(ta, () => a.refresh(refreshToken as string)),
          staggered(tb, () => b.refresh(refreshToken as string)),
        ]);
        expect(ra).not.toBeNull();
        expect(rb?.token).toBe(ra?.token);
        expect(rb?.refreshToken).toBe(ra?.refreshToken);
        expect((await b.get(session.id))?.status).toBe('ACTIVE');
        expect((await b.validate(ra?.token as string))?.id).toBe(session.id);
      }),
      { numRuns: RUNS },
    );
  });
});
