import { createSessionManager, type SessionManager, SessionStoreError } from '@sessionkit/core';
import { type RedisServer, startRedisServer } from '@sessionkit-internal/test-support';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';

// Its own server: this file kills and restarts it.
let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

/** Every manager call that reaches the store, against a session created while Redis was up. */
async function everyCall(manager: SessionManager) {
  const { session, token, refreshToken } = await manager.create({ userId: 'faulty' });
  return {
    create: () => manager.create({ userId: 'faulty' }),
    validate: () => manager.validate(token),
    touch: () => manager.touch(token),
    get: () => manager.get(session.id),
    list: () => manager.list('faulty'),
    history: () => manager.history('faulty'),
    revoke: () => manager.revoke(session.id),
    revokeAll: () => manager.revokeAll('faulty'),
    logout: () => manager.logout(token),
    refresh: () => manager.refresh(refreshToken as string),
  };
}

async function untilItAnswers(manager: SessionManager): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await manager.list('probe');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// With ioredis defaults, a command already written when the connection dies is
// re-sent after the reconnect (autoResendUnfulfilledCommands): that run starts
// its calls once the client has noticed the outage. The recommended options turn
// re-sending off, so that run fires its calls the instant the server dies.
describe.each<[string, RedisOptions, boolean]>([
  ['ioredis defaults (offline queue, 20 retries)', {}, true],
  [
    'the recommended options',
    { enableOfflineQueue: false, maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: false },
    false,
  ],
  [
    // With its own commandTimeout: ioredis's timers race the store's gate.
    'the recommended options and commandTimeout',
    {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
      commandTimeout: 400,
    },
    false,
  ],
])('with %s', (_, clientOptions, waitForClose) => {
  it('every manager call rejects with SessionStoreError within 1 s while Redis is down, and works again after a restart', async () => {
    const client = new Redis({ host: '127.0.0.1', port: server.port, ...clientOptions });
    client.on('error', () => {}); // connection refused while the server is down: expected here
    try {
      const manager = createSessionManager({
        store: createRedisStore({ client }),
        refreshTokens: true,
      });
      await untilItAnswers(manager);
      const calls = await everyCall(manager);

      await server.kill();
      if (waitForClose) {
        while (client.status === 'ready') await new Promise((r) => setTimeout(r, 5));
      }
      const outcomes = await Promise.all(
        Object.entries(calls).map(async ([name, call]) => {
          const started = performance.now();
          const error = await call().then(
            () => null,
            (e: unknown) => e,
          );
          return { name, error, ms: performance.now() - started };
        }),
      );
      for (const { name, error, ms } of outcomes) {
        expect(error, name).toBeInstanceOf(SessionStoreError);
        expect(ms, name).toBeLessThan(1000);
      }

      await server.restart();
      await untilItAnswers(manager);
      // The restarted server is empty (no persistence), and so is its script cache.
      const again = await everyCall(manager);
      await manager.create({ userId: 'faulty' });
      expect((await again.validate())?.userId).toBe('faulty');
      // Exactly the two sessions created since: no call made during the outage ran late.
      expect(await again.list()).toHaveLength(2);
      expect(await again.revoke()).toBe(true);
      expect(await again.revokeAll()).toBe(1);
      expect(await again.history()).toHaveLength(2);
    } finally {
      client.disconnect();
    }
  });
});
