import { createSessionManager, SessionStoreError } from '@sessionkit/core';
import { type RedisServer, startRedisServer } from '@sessionkit-internal/test-support';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';

// The command gate under a real redis-server: the fast path a ready client with
// ioredis defaults takes, its deadline, and the moment a socket is gone but the
// client still reads 'ready'.

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: '127.0.0.1', port: server.port });
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

async function ready(options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port: server.port, ...options });
  client.on('error', () => {});
  if (client.status !== 'ready') await new Promise((r) => client.once('ready', r));
  return client;
}

/** The client, recording every method the store calls on it. */
function recording(inner: Redis): { client: Redis; calls: string[] } {
  const calls: string[] = [];
  const client = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(property);
        return value.apply(target, args);
      };
    },
  });
  return { client, calls };
}

describe('command gate', () => {
  it('with ioredis defaults, a GET on a ready client is written with sendCommand and awaited on its own promise', async () => {
    const inner = await ready();
    try {
      const { client, calls } = recording(inner);
      const store = createRedisStore({ client, prefix: 'g1:' });
      expect(await store.get('AAAAAAmissing-session-id-000')).toBeNull();
      expect(calls).toEqual(['sendCommand']);
    } finally {
      inner.disconnect();
    }
  });

  it('with autopipelining, a GET takes the general path (its commands go through a pipeline)', async () => {
    const inner = await ready({ enableAutoPipelining: true });
    try {
      const { client, calls } = recording(inner);
      const store = createRedisStore({ client, prefix: 'g1:' });
      expect(await store.get('AAAAAAmissing-session-id-000')).toBeNull();
      expect(calls).toEqual(['get']);
    } finally {
      inner.disconnect();
    }
  });

  it('a GET Redis does not answer rejects at the deadline, on the fast path, and the store works again after', async () => {
    const client = await ready();
    try {
      const store = createRedisStore({ client, prefix: 'g2:', timeout: 100 });
      await admin.call('CLIENT', 'PAUSE', '600', 'ALL');
      const started = performance.now();
      const error = await store.get('AAAAAApaused-session-id-0000').then(
        () => null,
        (e: unknown) => e,
      );
      const ms = performance.now() - started;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/did not answer get within 100 ms/);
      expect(ms).toBeGreaterThanOrEqual(95);
      expect(ms).toBeLessThan(400);
      await admin.call('CLIENT', 'UNPAUSE');
      expect(await store.get('AAAAAApaused-session-id-0000')).toBeNull();
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => {});
      client.disconnect();
    }
  });

  it('a script Redis does not answer rejects at the deadline too (evalsha, then eval on NOSCRIPT, one deadline)', async () => {
    const client = await ready();
    try {
      await client.script('FLUSH');
      const manager = createSessionManager({
        store: createRedisStore({ client, prefix: 'g3:', timeout: 150 }),
      });
      await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
      const started = performance.now();
      await expect(manager.create({ userId: 'paused' })).rejects.toBeInstanceOf(SessionStoreError);
      expect(performance.now() - started).toBeLessThan(500);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => {});
      client.disconnect();
    }
  });

  it('sends nothing once the socket has ended while the client still reads ready: nothing is queued to run late', async () => {
    const client = await ready(); // ioredis defaults: offline queue on
    try {
      const manager = createSessionManager({
        store: createRedisStore({ client, prefix: 'g4:' }),
      });
      const stream = (client as unknown as { stream: { end(): void; writable: boolean } }).stream;
      stream.end();
      expect(client.status).toBe('ready');
      expect(stream.writable).toBe(false);
      const started = performance.now();
      await expect(manager.create({ userId: 'late' })).rejects.toBeInstanceOf(SessionStoreError);
      expect(performance.now() - started).toBeLessThan(100);
      const queued = (client as unknown as { offlineQueue: { length: number } }).offlineQueue;
      expect(queued.length).toBe(0);
      // Reconnected: the create that failed never ran.
      await new Promise((r) => client.once('ready', r));
      expect(await manager.list('late')).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});
