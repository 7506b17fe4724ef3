// The same conformance suite on ioredis 6 (what `npm i ioredis` installs today;
// the peer range allows ^5 and ^6). ioredis 6 comes in as the `ioredis6` alias.
import { createSessionManager } from '@sessionkit/core';
import { type RedisServer, startRedisServer } from '@sessionkit-internal/test-support';
import { Cluster, Redis } from 'ioredis6';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';
import { runRedisConformance } from './test-conformance.js';

let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis({ host: '127.0.0.1', port: server.port });
});

afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});

// This package type-checks against ioredis 5 (its devDependency); in an app the
// store's `import type { Redis } from 'ioredis'` resolves to the app's ioredis 6.
const asClient = (c: Redis | Cluster) =>
  c as unknown as Parameters<typeof createRedisStore>[0]['client'];

let run = 0;
runRedisConformance(
  'redis (standalone, ioredis 6)',
  () => asClient(client),
  () => `v6-${run++}:`,
);

describe('ioredis 6', () => {
  it('is the major under test, and a v6 Cluster is accepted', async () => {
    const { version } = (await import('ioredis6/package.json', { with: { type: 'json' } }))
      .default as { version: string };
    expect(version).toMatch(/^6\./);
    const cluster = new Cluster([], { lazyConnect: true });
    expect(() => createRedisStore({ client: asClient(cluster) })).not.toThrow();
    cluster.disconnect();
  });

  it('revokes on the next validate through the manager', async () => {
    const manager = createSessionManager({
      store: createRedisStore({ client: asClient(client), prefix: 'v6-manager:' }),
    });
    const { session, token } = await manager.create({ userId: 'u-v6' });
    expect((await manager.validate(token))?.id).toBe(session.id);
    expect(await manager.revoke(session.id)).toBe(true);
    expect(await manager.validate(token)).toBeNull();
  });
});
