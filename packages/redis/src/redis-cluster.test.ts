import { createSessionManager } from '@sessionkit/core';
import { type RedisCluster, startRedisCluster } from '@sessionkit-internal/test-support';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';
import { runRedisConformance } from './test-conformance.js';

let cluster: RedisCluster;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
});

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

let run = 0;
runRedisConformance(
  'redis (cluster)',
  () => client,
  () => `t${run++}:`,
);

describe('redis store on Redis Cluster', () => {
  it('keeps every key of one user in one slot, and spreads users over all masters', async () => {
    const prefix = `c${run++}:`;
    let current = Date.now();
    const now = () => current++; // distinct createdAt: eviction order is by creation time
    const manager = createSessionManager({
      store: createRedisStore({ client, prefix, now }),
      now,
      maxSessionsPerUser: 2,
      refreshTokens: true,
    });
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    for (const userId of users) {
      const first = await manager.create({ userId });
      await manager.create({ userId });
      await manager.create({ userId }); // evicts first: a cross-key script
      expect(await manager.refresh(first.refreshToken as string)).toBeNull();
      await manager.revokeAll(userId);
      expect(await manager.history(userId)).toHaveLength(3);
    }

    const keysByNode: string[][] = [];
    for (const node of client.nodes('master')) {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      keysByNode.push(keys);
    }
    expect(keysByNode.every((keys) => keys.length > 0)).toBe(true);

    const slotsByShard = new Map<string, Set<number>>();
    for (const key of keysByNode.flat()) {
      const shard = key.slice(key.indexOf('{') + 1, key.indexOf('}'));
      const slot = (await client.cluster('KEYSLOT', key)) as number;
      slotsByShard.set(shard, (slotsByShard.get(shard) ?? new Set()).add(slot));
    }
    expect(slotsByShard.size).toBe(users.length);
    for (const slots of slotsByShard.values()) expect(slots.size).toBe(1);
  });

  it('does each manager call in one round trip (a listing page is one script)', async () => {
    const calls: string[] = [];
    const counted = new Proxy(client, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          calls.push(property);
          return value.apply(target, args);
        };
      },
    });
    const manager = createSessionManager({
      store: createRedisStore({ client: counted, prefix: `r${run++}:` }),
      maxSessionsPerUser: 3,
    });
    const warm = await manager.create({ userId: 'warm' }); // loads the scripts on that node
    await manager.list('warm');
    await manager.revoke(warm.session.id);
    await manager.revokeAll('warm');
    await manager.markVerified(warm.session.id, { method: 'totp' });
    await manager.forgetDevice('warm', 'AAAAAAAAAAAAAAAAAAAAAA');
    const counts: Record<string, string[]> = {};
    const measure = async (name: string, fn: () => Promise<unknown>) => {
      calls.length = 0;
      await fn();
      counts[name] = [...calls];
    };
    const made = await manager.create({ userId: 'warm' });
    await measure('create', () => manager.create({ userId: 'warm' }));
    await measure('validate', () => manager.validate(made.token));
    await measure('list', () => manager.list('warm'));
    await measure('history', () => manager.history('warm'));
    await measure('revoke', () => manager.revoke(made.session.id));
    await measure('revokeAll', () => manager.revokeAll('warm'));
    const live = await manager.create({ userId: 'warm' });
    await measure('markVerified', () => manager.markVerified(live.session.id, { method: 'totp' }));
    await measure('listDevices', () => manager.listDevices('warm'));
    const [device] = await manager.listDevices('warm');
    await measure('forgetDevice', () => manager.forgetDevice('warm', device?.id as string));
    expect(counts).toEqual({
      create: ['evalsha'],
      validate: ['get'],
      list: ['evalsha'],
      history: ['evalsha', 'evalsha'],
      revoke: ['evalsha'],
      revokeAll: ['evalsha'],
      markVerified: ['evalsha'],
      listDevices: ['hgetall'],
      forgetDevice: ['evalsha'],
    });
  });
});
