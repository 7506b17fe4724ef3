// kill -9 of one master of a 3-master Redis Cluster (no replicas) in the middle
// of a mixed load through a manager on an ioredis Cluster client. The killed
// master's slots stay down (no replica to promote); failover is not tested.
// Loopback only; loops are bounded by count and by time.
import {
  createSessionManager,
  type SessionManager,
  SessionStoreError,
  userShard,
} from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import { type RedisCluster, startRedisCluster } from '@sessionkit-internal/test-support';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

const KILL_AT_MS = 600;
// Past the cluster's failure detection (cluster-node-timeout 2000 ms plus gossip).
const LOAD_MS = KILL_AT_MS + 3600;
// With full coverage the cluster stops serving ~2.3–3.3 s after the kill: run on
// until 1 s past that, but never beyond this.
const MAX_LOAD_MS = KILL_AT_MS + 6000;
const LOOPS = 6;
const MAX_CALLS_PER_LOOP = 3000;

interface CallRecord {
  op: string;
  userId: string;
  ms: number;
  error: unknown;
  at: number;
}

interface Tracked {
  id: string;
  token: string;
  userId: string;
  /** When a revoke of it resolved (acknowledged), in ms since the load began. */
  revokedAckAt?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: RedisCluster | undefined;
const clients: (Redis | Cluster)[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  await cluster?.stop();
  cluster = undefined;
});

/** The port of the master serving `slot`, from CLUSTER SLOTS. */
async function ownerOf(probe: Redis, slot: number): Promise<number> {
  const ranges = (await probe.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`no master serves slot ${slot}`);
  return range[2][1];
}

/** Users whose keys live on each master: the first few user ids that hash there. */
async function usersByMaster(probe: Redis, ports: number[]): Promise<Map<number, string[]>> {
  const byPort = new Map<number, string[]>(ports.map((p) => [p, []]));
  for (let i = 0; i < 200 && [...byPort.values()].some((u) => u.length < 2); i++) {
    const userId = `ck-u${i}`;
    const slot = Number(await probe.cluster('KEYSLOT', `{${userShard(userId)}}`));
    const users = byPort.get(await ownerOf(probe, slot));
    if (users && users.length < 2) users.push(userId);
  }
  return byPort;
}

async function pidOf(port: number): Promise<number> {
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  try {
    await probe.connect();
    const pid = /process_id:(\d+)/.exec(await probe.info('server'))?.[1];
    if (!pid) throw new Error(`no process_id from the redis-server on port ${port}`);
    return Number(pid);
  } finally {
    probe.disconnect();
  }
}

/** ms (since t0) at which a surviving master first flags the victim as failed (not just PFAIL). */
function watchFailure(probe: Redis, victimPort: number, t0: number) {
  const state = { flaggedAt: Number.POSITIVE_INFINITY, clusterFailAt: Number.POSITIVE_INFINITY };
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        const nodes = String(await probe.cluster('NODES'));
        const line = nodes.split('\n').find((l) => l.includes(`:${victimPort}@`));
        if (line && /\bfail\b/.test(line.split(' ')[2] ?? '') && state.flaggedAt === Infinity) {
          state.flaggedAt = performance.now() - t0;
        }
        const info = String(await probe.cluster('INFO'));
        if (info.includes('cluster_state:fail') && state.clusterFailAt === Infinity) {
          state.clusterFailAt = performance.now() - t0;
        }
      } catch {
        // the probe's own node is alive; a hiccup here is not the test's subject
      }
      await sleep(25);
    }
  })();
  return {
    state,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

describe.each([
  ['cluster-require-full-coverage no (the surviving masters keep serving their slots)', false],
  ['the default cluster-require-full-coverage yes', true],
])('kill -9 of one master of a 3-master Redis Cluster under load, %s', (_, fullCoverage) => {
  it('calls for users on the killed master settle within 1 s (success or SessionStoreError), none hangs, no revoked session validates; users on other masters keep working until the cluster itself stops serving', async () => {
    cluster = await startRedisCluster(3);
    const { ports } = cluster;
    const probe = new Redis({ host: '127.0.0.1', port: ports[1] ?? 0 });
    probe.on('error', () => {});
    clients.push(probe);
    for (const port of ports) {
      const admin = new Redis({ host: '127.0.0.1', port });
      await admin.config('SET', 'cluster-require-full-coverage', fullCoverage ? 'yes' : 'no');
      admin.disconnect();
    }

    const byMaster = await usersByMaster(probe, ports);
    const victimPort = ports[0] as number;
    const victimUsers = byMaster.get(victimPort) ?? [];
    const otherUsers = ports.slice(1).flatMap((p) => byMaster.get(p) ?? []);
    expect(victimUsers.length).toBe(2);
    expect(otherUsers.length).toBe(4);
    const users = [...victimUsers, ...otherUsers];
    const victimPid = await pidOf(victimPort);

    const client = new Cluster(
      ports.map((port) => ({ host: '127.0.0.1', port })),
      {
        enableOfflineQueue: false,
        // Reconnect the whole cluster quickly if every node dropped (not the case here).
        clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
        redisOptions: {
          maxRetriesPerRequest: 1,
          autoResendUnfulfilledCommands: false,
          connectTimeout: 500,
        },
      },
    );
    client.on('error', () => {}); // the dead master's connection errors: expected
    clients.push(client);
    const manager: SessionManager = createSessionManager({
      store: createRedisStore({ client, prefix: 'ck:' }),
      logger: { warn() {}, error() {} },
    });
    // Warm up: the cluster client knows the slots and every user answers.
    for (const userId of users) await manager.list(userId);

    const calls: CallRecord[] = [];
    const sessions: Tracked[] = [];
    const violations: string[] = [];
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    let killedAt = Number.POSITIVE_INFINITY;
    const watcher = watchFailure(probe, victimPort, t0);

    const timed = async <T>(op: string, userId: string, fn: () => Promise<T>) => {
      const started = performance.now();
      try {
        const value = await fn();
        calls.push({ op, userId, ms: performance.now() - started, error: null, at: now() });
        return value;
      } catch (error) {
        calls.push({ op, userId, ms: performance.now() - started, error, at: now() });
        return undefined;
      }
    };

    const loadEnd = () =>
      fullCoverage
        ? Math.min(MAX_LOAD_MS, Math.max(LOAD_MS, watcher.state.clusterFailAt + 1000))
        : LOAD_MS;
    async function loop() {
      for (let i = 0; i < MAX_CALLS_PER_LOOP && now() < loadEnd(); i++) {
        const userId = users[Math.floor(Math.random() * users.length)] as string;
        const own = sessions.filter((s) => s.userId === userId);
        const target = own[Math.floor(Math.random() * own.length)];
        const roll = Math.random();
        const startedAt = now();
        let failed = false;
        if (roll < 0.3 || target === undefined) {
          const created = await timed('create', userId, () => manager.create({ userId }));
          if (created) sessions.push({ id: created.session.id, token: created.token, userId });
          else failed = true;
        } else if (roll < 0.65) {
          const valid = await timed('validate', userId, () => manager.validate(target.token));
          if (valid === undefined) failed = true;
          else if (valid !== null && (target.revokedAckAt ?? Infinity) < startedAt) {
            violations.push(`validate() accepted ${target.id}, revoked at ${target.revokedAckAt}`);
          }
        } else if (roll < 0.8) {
          const revoked = await timed('revoke', userId, () => manager.revoke(target.id));
          if (revoked === undefined) failed = true;
          else target.revokedAckAt ??= now();
        } else {
          const listed = await timed('list', userId, () => manager.list(userId));
          if (listed === undefined) failed = true;
          else {
            for (const s of listed) {
              const known = sessions.find((k) => k.id === s.id);
              if ((known?.revokedAckAt ?? Infinity) < startedAt) {
                violations.push(`list() showed ${s.id}, revoked at ${known?.revokedAckAt}`);
              }
            }
          }
        }
        await sleep(failed ? 5 : 0);
      }
    }

    const chaos = (async () => {
      await sleep(KILL_AT_MS);
      process.kill(victimPid, 'SIGKILL');
      killedAt = now();
    })();
    await Promise.all([...Array.from({ length: LOOPS }, () => loop()), chaos]);
    await watcher.stop();
    const { flaggedAt, clusterFailAt } = watcher.state;

    // None hangs: every call settled within 1 s, and every failure is a SessionStoreError.
    const slowest = calls.reduce((a, b) => (b.ms > a.ms ? b : a));
    expect(slowest.ms, `slowest call: ${slowest.op} for ${slowest.userId}`).toBeLessThan(1000);
    const foreign = calls.filter(
      (c) => c.error !== null && !(c.error instanceof SessionStoreError),
    );
    expect(foreign.map((c) => `${c.op}: ${String(c.error)}`)).toEqual([]);
    expect(violations).toEqual([]);

    // The kill landed mid-load: the victim's users worked before it and fail after it.
    const victims = new Set(victimUsers);
    const forVictims = calls.filter((c) => victims.has(c.userId));
    expect(forVictims.filter((c) => c.at < killedAt && c.error === null).length).toBeGreaterThan(5);
    const victimsAfter = forVictims.filter((c) => c.at > killedAt + 100);
    expect(victimsAfter.length).toBeGreaterThan(5);
    expect(victimsAfter.filter((c) => c.error === null)).toEqual([]);

    // The surviving masters noticed the failure within the load window.
    expect(flaggedAt).toBeLessThan(LOAD_MS);
    const forOthers = calls.filter((c) => !victims.has(c.userId));
    const othersAfterKill = forOthers.filter((c) => c.at > killedAt);
    expect(othersAfterKill.length).toBeGreaterThan(20);
    if (!fullCoverage) {
      // Users on the other masters never notice: every one of their calls succeeded.
      expect(clusterFailAt).toBe(Number.POSITIVE_INFINITY);
      expect(forOthers.filter((c) => c.error !== null).map((c) => `${c.op} at ${c.at}`)).toEqual(
        [],
      );
    } else {
      // Redis' default: they keep working until the masters flag the dead one
      // (cluster-node-timeout), then the whole cluster answers CLUSTERDOWN, which
      // ioredis retries, so their calls fail too, at the store's timeout (already
      // checked: SessionStoreError within 1 s). Every call then takes ~550 ms,
      // so only a few fit in the rest of the window.
      expect(clusterFailAt).toBeLessThan(MAX_LOAD_MS - 1000);
      const beforeDetection = forOthers.filter((c) => c.at < Math.min(flaggedAt, clusterFailAt));
      expect(beforeDetection.length).toBeGreaterThan(20);
      expect(beforeDetection.filter((c) => c.error !== null)).toEqual([]);
      const afterFail = forOthers.filter((c) => c.at > clusterFailAt + 200);
      expect(afterFail.length).toBeGreaterThan(0);
      expect(afterFail.filter((c) => c.error === null)).toEqual([]);
    }

    // Afterwards: a revoked session of a surviving user is still refused, a live one still works.
    if (!fullCoverage) {
      for (const s of sessions.filter((x) => !victims.has(x.userId))) {
        const valid = await manager.validate(s.token);
        if (s.revokedAckAt !== undefined) expect(valid).toBeNull();
      }
    }
    console.info(
      `[cluster kill, full coverage ${fullCoverage ? 'yes' : 'no'}] ${calls.length} calls; ` +
        `slowest ${slowest.ms.toFixed(0)} ms (${slowest.op}); victim flagged FAIL ` +
        `${(flaggedAt - killedAt).toFixed(0)} ms after the kill; cluster_state:fail ` +
        `${Number.isFinite(clusterFailAt) ? `${(clusterFailAt - killedAt).toFixed(0)} ms after` : 'never'}; ` +
        `victim-user failures ${victimsAfter.length}, max ${Math.max(...victimsAfter.map((c) => c.ms)).toFixed(0)} ms`,
    );
  });
});
