// The conformance suite's model-based test (one model, in
// packages/core/src/testing/model-based.ts), run longer here over the memory
// store, a real Redis and a real 3-master Redis Cluster.
import { createMemoryStore } from '@sessionkit/core';
import { runModelBasedTest } from '@sessionkit/core/testing';
import { createRedisStore } from '@sessionkit/redis';
import {
  type RedisCluster,
  type RedisServer,
  startRedisCluster,
  startRedisServer,
} from '@sessionkit-internal/test-support';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';

describe('model-based (fc.commands): exact statuses, end reasons, list by status, history, limits', () => {
  it('memory store', async () => {
    await runModelBasedTest(({ now }) => createMemoryStore({ now }), 150);
  }, 60_000);

  describe('real Redis', () => {
    let server: RedisServer | undefined;
    let nodes: RedisCluster | undefined;
    const clients: (Redis | Cluster)[] = [];

    beforeAll(async () => {
      [server, nodes] = await Promise.all([startRedisServer(), startRedisCluster(3)]);
    });

    afterAll(async () => {
      for (const c of clients) c.disconnect();
      await Promise.all([server?.stop(), nodes?.stop()]);
    });

    it('standalone redis-server', async () => {
      const client = new Redis({ host: '127.0.0.1', port: server?.port });
      clients.push(client);
      let n = 0;
      await runModelBasedTest(
        ({ now }) => createRedisStore({ client, prefix: `mb${n++}:`, now }),
        60,
      );
    }, 60_000);

    // On Cluster the store lists by Lua script instead of SORT … GET: a separate path.
    it('3-master Redis Cluster', async () => {
      const client = new Cluster((nodes?.ports ?? []).map((port) => ({ host: '127.0.0.1', port })));
      clients.push(client);
      let n = 0;
      await runModelBasedTest(
        ({ now }) => createRedisStore({ client, prefix: `mbc${n++}:`, now }),
        30,
      );
    }, 60_000);
  });
});
