import {
  createSessionManager,
  DAY,
  hashToken,
  InvalidInputError,
  type SessionManagerOptions,
} from '@sessionkit/core';
import { runStoreConformanceTests } from '@sessionkit/core/testing';
import { type RedisServer, startRedisServer } from '@sessionkit-internal/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';

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

let run = 0;
runStoreConformanceTests('redis (standalone)', ({ now }) =>
  createRedisStore({ client, prefix: `t${run++}:`, now }),
);

// A client with the recommended options and its own commandTimeout: the same
// contract must hold with ioredis's own timers racing the store's gate.
let fastClient: Redis;
beforeAll(() => {
  fastClient = new Redis({
    host: '127.0.0.1',
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 500,
  });
  return new Promise<void>((resolve) => fastClient.once('ready', () => resolve()));
});
afterAll(() => fastClient?.disconnect());
runStoreConformanceTests(
  'redis (standalone, client with commandTimeout)',
  ({ now }) => createRedisStore({ client: fastClient, prefix: `f${run++}:`, now }),
  { numRuns: 10 },
);

async function keysOf(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/**
 * The client, counting every command the store sends: a command method it calls,
 * or the name of a command it writes with sendCommand (its fast path).
 */
function countingClient(inner: Redis): { client: Redis; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(property === 'sendCommand' ? (args[0] as { name: string }).name : property);
        return value.apply(target, args);
      };
    },
  });
  return { client: proxy, calls };
}

describe('redis store specifics', () => {
  let prefix: string;
  let current: number;
  const now = () => current;
  const advance = (ms: number) => {
    current += ms;
  };
  const manager = (options: Partial<SessionManagerOptions> = {}, c: Redis = client) =>
    createSessionManager({
      store: createRedisStore({ client: c, prefix, now }),
      now,
      ...options,
    });

  beforeEach(() => {
    prefix = `x${run++}:`;
    current = Date.now();
  });

  it('every key it writes carries a TTL: sessions until purgeAt, indexes until their last member', async () => {
    const m = manager({
      maxSessionsPerUser: 2,
      refreshTokens: true,
      refreshReuseGrace: 0,
      historyRetention: 7 * DAY,
    });
    const a = await m.create({ userId: 'alice', userAgent: 'Mozilla/5.0 Firefox/128.0' });
    advance(1);
    const b = await m.create({ userId: 'alice' });
    advance(1);
    await m.create({ userId: 'alice' }); // evicts a, the oldest (session_limit)
    advance(120_000);
    expect(await m.validate(b.token)).not.toBeNull(); // due: touches
    const refreshed = await m.refresh(b.refreshToken as string);
    expect(await m.refresh(b.refreshToken as string)).toBeNull(); // reuse: revokes b
    const bob = await m.create({ userId: 'bob' });
    await m.create({ userId: 'bob' });
    await m.revokeAll('bob', { except: bob.session.id });
    expect(await m.logout(bob.token)).toBe(true);
    await m.list('alice');
    await m.history('alice');
    expect(refreshed).not.toBeNull();

    await m.markVerified(refreshed?.session.id as string, { method: 'totp' });
    await m.listDevices('alice');
    await m.forgetDevice('bob', (await m.listDevices('bob'))[0]?.id as string);
    await m.create({ userId: 'bob' }); // remembered again

    const keys = await keysOf(prefix);
    // alice: 3 sessions + active, ended, device index and device entries;
    // bob: 3 sessions + active, ended, device index and device entries
    expect(keys).toHaveLength(14);
    for (const key of keys) {
      expect(await client.pttl(key), key).toBeGreaterThan(0);
    }
    // An ended session lives for the history retention, a live one until expiresAt + retention.
    const ended = await client.pttl(
      keys.find((k) => k.endsWith(`:sess:${a.session.id}`)) as string,
    );
    expect(Math.abs(ended - 7 * DAY)).toBeLessThan(120_000 + 5_000);
    const [aliceLive, ...none] = await m.list('alice');
    expect(none).toEqual([]);
    const liveTtl = await client.pttl(
      `${prefix}{${aliceLive?.id.slice(0, 6)}}:sess:${aliceLive?.id}`,
    );
    expect(Math.abs(liveTtl - (30 + 7) * DAY)).toBeLessThan(120_000 + 5_000);
    // Each index outlives every member it holds.
    for (const key of keys.filter((k) => /:(active|ended):/.test(k))) {
      const ttl = await client.pttl(key);
      const base = key.slice(0, key.indexOf('}:') + 2);
      for (const id of await client.zrange(key, 0, -1)) {
        expect(ttl).toBeGreaterThanOrEqual((await client.pttl(`${base}sess:${id}`)) - 1000);
      }
    }
    // The device registry outlives its latest entry's purgeAt (the score), both keys.
    for (const key of keys.filter((k) => /:devices:/.test(k))) {
      const scores = await client.zrange(key, 0, -1, 'WITHSCORES');
      const latest = Math.max(...scores.filter((_, i) => i % 2 === 1).map(Number));
      const entries = key.replace(':devices:', ':device:');
      expect(await client.type(entries)).toBe('hash');
      expect(await client.hlen(entries)).toBe(scores.length / 2);
      for (const k of [key, entries]) {
        expect(await client.pttl(k), k).toBeGreaterThanOrEqual(latest - current - 1000);
      }
    }
  });

  it('keeps known devices in a hash beside a purgeAt-scored index; entries outlive their sessions', async () => {
    const m = manager({ expiresIn: 60_000, historyRetention: 60_000 });
    const newDevices: string[] = [];
    m.on('newDevice', ({ session }) => {
      newDevices.push(session.id);
    });
    const first = await m.create({ userId: 'kim', userAgent: 'Mozilla/5.0 Firefox/128.0' });
    const [device] = await m.listDevices('kim');
    const shard = first.session.id.slice(0, 6);
    const entries = `${prefix}{${shard}}:device:kim`;
    const index = `${prefix}{${shard}}:devices:kim`;
    const raw = (await client.hget(entries, device?.id as string)) as string;
    const purgeAt = first.session.expiresAt.getTime() + 60_000;
    expect(raw.startsWith(`${first.session.createdAt.getTime()}:${purgeAt}:{`)).toBe(true);
    expect(Number(await client.zscore(index, device?.id as string))).toBe(purgeAt);

    // What Redis does when the session's TTL runs out: the device stays known.
    await client.del(`${prefix}{${shard}}:sess:${first.session.id}`);
    advance(30_000);
    await m.create({ userId: 'kim', userAgent: 'Mozilla/5.0 Firefox/128.0' });
    expect(newDevices).toEqual([first.session.id]);
    const [seen] = await m.listDevices('kim');
    expect(seen?.firstSeenAt).toEqual(first.session.createdAt);
    expect(seen?.lastSeenAt).toEqual(new Date(current));

    // Past the entry's purgeAt it is gone: hidden from listDevices, pruned by the next create.
    advance(200_000);
    expect(await m.listDevices('kim')).toEqual([]);
    const later = await m.create({ userId: 'kim', userAgent: 'Mozilla/5.0 Chrome/126.0' });
    expect(newDevices).toEqual([first.session.id, later.session.id]);
    expect(await client.hexists(entries, device?.id as string)).toBe(0);
    expect(await client.zscore(index, device?.id as string)).toBeNull();
    expect(await m.forgetDevice('kim', device?.id as string)).toBe(false);
  });

  it('keeps one string per session: dates as epoch ms, and no raw token anywhere', async () => {
    const m = manager({ refreshTokens: true });
    const { session, token, refreshToken } = await m.create({
      userId: 'carol',
      metadata: { plan: 'pro' },
    });
    const key = `${prefix}{${session.id.slice(0, 6)}}:sess:${session.id}`;
    expect(await client.type(key)).toBe('string');
    const raw = (await client.get(key)) as string;
    const [head, body] = raw.split('\n').map((part) => JSON.parse(part));
    expect(head).toMatchObject({
      userId: 'carol',
      status: 'ACTIVE',
      createdAt: session.createdAt.getTime(),
      expiresAt: session.expiresAt.getTime(),
      tokenHash: hashToken(token),
    });
    expect(body).toMatchObject({ id: session.id, metadata: { plan: 'pro' } });
    for (const k of await keysOf(prefix)) {
      expect(k).not.toContain(hashToken(token));
      const value = (await client.type(k)) === 'string' ? await client.get(k) : '';
      expect(value).not.toContain(token);
      expect(value).not.toContain(refreshToken);
    }
  });

  it('does each manager call in one round trip; validate is a single GET', async () => {
    const { client: counted, calls } = countingClient(client);
    const m = manager({ refreshTokens: true, maxSessionsPerUser: 5 }, counted);
    // Warm the script cache so EVALSHA never falls back to EVAL below.
    const warm = await m.create({ userId: 'warm' });
    await m.list('warm');
    await m.history('warm');
    advance(120_000);
    await m.validate(warm.token);
    await m.refresh(warm.refreshToken as string);
    await m.revoke(warm.session.id);
    await m.revokeAll('warm');
    await m.markVerified(warm.session.id, { method: 'totp' });
    await m.forgetDevice('warm', 'AAAAAAAAAAAAAAAAAAAAAA');

    const counts: Record<string, string[]> = {};
    const measure = async (name: string, call: () => Promise<unknown>) => {
      calls.length = 0;
      await call();
      counts[name] = [...calls];
    };
    const made = await m.create({ userId: 'dave' });
    await measure('create', () => m.create({ userId: 'dave' }));
    await measure('validate', () => m.validate(made.token));
    advance(120_000);
    await measure('validate (touch due)', () => m.validate(made.token));
    await measure('list', () => m.list('dave'));
    await measure('history', () => m.history('dave'));
    await measure('get', () => m.get(made.session.id));
    const rotated = await m.refresh(made.refreshToken as string);
    await measure('refresh', () => m.refresh(rotated?.refreshToken as string));
    const other = await m.create({ userId: 'dave' });
    await measure('revoke', () => m.revoke(other.session.id));
    const again = await m.create({ userId: 'dave' });
    await measure('logout', () => m.logout(again.token));
    await measure('revokeAll', () => m.revokeAll('dave'));
    const live = await m.create({ userId: 'dave' });
    await measure('markVerified', () => m.markVerified(live.session.id, { method: 'totp' }));
    await measure('listDevices', () => m.listDevices('dave'));
    const [device] = await m.listDevices('dave');
    await measure('forgetDevice', () => m.forgetDevice('dave', device?.id as string));

    expect(counts).toEqual({
      create: ['evalsha'],
      validate: ['get'],
      'validate (touch due)': ['get', 'evalsha'], // the throttled activity write
      list: ['evalsha'], // one page: ZREVRANGEBYSCORE … LIMIT + MGET in a script
      history: ['evalsha', 'evalsha'], // a page of the active index (to mark expired ones), one of the ended index
      get: ['get'],
      refresh: ['evalsha'],
      revoke: ['evalsha'],
      logout: ['evalsha'],
      revokeAll: ['evalsha'],
      markVerified: ['evalsha'],
      listDevices: ['hgetall'],
      forgetDevice: ['evalsha'],
    });
  });

  it('revokeAll() of many sessions runs bounded scripts, one per END_ALL_CHUNK sessions', async () => {
    const { client: counted, calls } = countingClient(client);
    const m = manager({ maxSessionsPerUser: null }, counted);
    const keep = await m.create({ userId: 'many' });
    for (let i = 0; i < 250; i++) await m.create({ userId: 'many' });
    calls.length = 0;
    expect(await m.revokeAll('many', { except: keep.session.id })).toBe(250);
    // 251 active sessions (the kept one included), END_ALL_CHUNK (5) examined per script.
    expect(calls).toEqual(Array.from({ length: 51 }, () => 'evalsha'));
    calls.length = 0;
    const page = await m.listPage('many', { status: 'REVOKED', limit: 100 });
    expect(page.sessions).toHaveLength(100);
    expect(page.nextCursor).not.toBeNull();
    // A page of 100 from an index of 250: PAGE_CHUNK (25) entries per script.
    expect(calls).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha']);
  });

  it.each([
    ['plain prefix', ''],
    ['prefix with a *', '*'],
  ])(
    'prunes index members whose session Redis expired: they never count toward a limit or show in a list (%s)',
    async (_, extra) => {
      prefix = `${prefix}${extra}`;
      const m = manager({ maxSessionsPerUser: 3, onSessionLimit: 'reject' });
      const created = [];
      for (let i = 0; i < 3; i++) created.push(await m.create({ userId: 'erin' }));
      const gone = created[0]?.session.id as string;
      const shard = gone.slice(0, 6);
      // What Redis does when the key's TTL runs out.
      await client.del(`${prefix}{${shard}}:sess:${gone}`);

      const listed = await m.list('erin');
      expect(listed.map((s) => s.id).sort()).toEqual(
        created
          .slice(1)
          .map((c) => c.session.id)
          .sort(),
      );
      expect(await client.zscore(`${prefix}{${shard}}:active:erin`, gone)).toBeNull();

      await client.del(`${prefix}{${shard}}:sess:${created[1]?.session.id}`);
      // Two stale-free slots now: a 'reject' limit of 3 admits two more, not one.
      await m.create({ userId: 'erin' });
      await m.create({ userId: 'erin' });
      await expect(m.create({ userId: 'erin' })).rejects.toMatchObject({ code: 'SESSION_LIMIT' });
      expect(await m.list('erin')).toHaveLength(3);
      // History reads the ended index the same way.
      await client.del(`${prefix}{${shard}}:sess:${created[2]?.session.id}`);
      await m.revokeAll('erin');
      expect(await m.history('erin')).toHaveLength(2);
      expect(await client.zcard(`${prefix}{${shard}}:active:erin`)).toBe(0);
    },
  );

  it('never exceeds the session limit with creates racing from separate connections', async () => {
    const clients = Array.from(
      { length: 4 },
      () => new Redis({ host: '127.0.0.1', port: server.port }),
    );
    try {
      for (const policy of ['reject', 'revoke-oldest'] as const) {
        const userId = `frank-${policy}`;
        const managers = clients.map((c) =>
          manager({ maxSessionsPerUser: 3, onSessionLimit: policy }, c),
        );
        const results = await Promise.allSettled(
          managers.flatMap((m) => Array.from({ length: 6 }, () => m.create({ userId }))),
        );
        const created = results.filter((r) => r.status === 'fulfilled').length;
        expect(created).toBe(policy === 'reject' ? 3 : 24);
        expect(await managers[0]?.list(userId)).toHaveLength(3);
      }
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('a touch after revoke never resurrects, across connections', async () => {
    const other = new Redis({ host: '127.0.0.1', port: server.port });
    try {
      const m1 = manager({ touchInterval: 0 });
      const m2 = manager({ touchInterval: 0 }, other);
      for (let i = 0; i < 20; i++) {
        const { session, token } = await m1.create({ userId: 'gina' });
        advance(1000);
        await Promise.all([m2.touch(token), m1.revoke(session.id), m2.touch(token)]);
        expect((await m1.get(session.id))?.status).toBe('REVOKED');
        expect(await m2.validate(token)).toBeNull();
      }
    } finally {
      other.disconnect();
    }
  });

  it('handles user ids with non-ASCII characters, colons and braces', async () => {
    const m = manager({ maxSessionsPerUser: 1, refreshTokens: true });
    for (const userId of ['ünïcødé-用户-🙂', 'tenant:42:user', '{not-a-tag}', 'a\\b"c']) {
      const first = await m.create({ userId });
      advance(1);
      const second = await m.create({ userId }); // evicts first: index keys derived in Lua
      expect((await m.list(userId)).map((s) => s.id)).toEqual([second.session.id]);
      expect((await m.history(userId)).map((s) => s.id)).toEqual([first.session.id]);
      expect((await m.validate(second.token))?.userId).toBe(userId);
      expect(await m.refresh(second.refreshToken as string)).not.toBeNull();
      expect(await m.revokeAll(userId)).toBe(1);
      expect(await m.list(userId)).toEqual([]);
    }
  });

  it("works under a client's own keyPrefix", async () => {
    const prefixed = new Redis({ host: '127.0.0.1', port: server.port, keyPrefix: 'app:' });
    try {
      const m = manager({ maxSessionsPerUser: 1 }, prefixed);
      const first = await m.create({ userId: 'hank' });
      const second = await m.create({ userId: 'hank' }); // evicts first inside the script
      expect(await m.validate(first.token)).toBeNull();
      expect((await m.validate(second.token))?.id).toBe(second.session.id);
      expect((await m.history('hank')).map((s) => s.id)).toEqual([first.session.id]);
      const keys = await keysOf(`app:${prefix}`);
      expect(keys.length).toBeGreaterThanOrEqual(4);
      expect(await keysOf(prefix)).toEqual([]);
    } finally {
      prefixed.disconnect();
    }
  });

  it('waits for a client that is still connecting, lazyConnect included, even without an offline queue', async () => {
    for (const options of [{}, { lazyConnect: true }, { enableOfflineQueue: false }]) {
      const fresh = new Redis({ host: '127.0.0.1', port: server.port, ...options });
      try {
        const m = manager({}, fresh);
        const { token } = await m.create({ userId: 'ivy' });
        expect((await m.validate(token))?.userId).toBe('ivy');
      } finally {
        fresh.disconnect();
      }
    }
  });

  it('rejects a prefix with a hash-tag brace and a missing client', () => {
    expect(() => createRedisStore({ client, prefix: 'a{b}:' })).toThrow(InvalidInputError);
    expect(() => createRedisStore({} as never)).toThrow(InvalidInputError);
    expect(() => createRedisStore({ client, timeout: 0 })).toThrow(InvalidInputError);
  });
});
