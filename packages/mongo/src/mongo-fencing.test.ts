import {
  hashToken,
  type Liveness,
  type SessionLimit,
  type SessionRecord,
  SessionStoreError,
} from '@sessionkit/core';
import type { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { createCollectionStore } from './mongo-store.js';
import { createSessionSchema, type DeviceDoc, type LockDoc, type SessionDoc } from './schema.js';
import type { MemoryCollection } from './test-support/memory-collection.js';
import { createStoreOnMemoryCollections } from './test-support/memory-store.js';

// The per-user lease on the server's clock, the re-count fence after insert,
// no orphan sessions, and the read/write options every command carries: over
// the in-memory collections (logic), with the server's clock (`$$NOW`) under
// the test's control. mongo-faults.test.ts covers the same paths on the wire.

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
let seq = 0;

function record(userId: string): SessionRecord {
  const n = ++seq;
  const at = new Date(T0 + n);
  return {
    id: `fence0${n.toString().padStart(22, '0')}`,
    userId,
    status: 'ACTIVE',
    ipAddress: null,
    userAgent: null,
    deviceInfo: { type: 'desktop', os: null, osVersion: null, browser: null, browserVersion: null },
    location: null,
    createdAt: at,
    lastActivityAt: at,
    expiresAt: new Date(T0 + 30 * DAY),
    endedAt: null,
    endReason: null,
    metadata: {},
    tokenHash: hashToken(`fence-token-${n}`),
    refreshTokenHash: null,
    retiredRefreshTokenHashes: [],
    deviceKey: 'dEvIcEkEyLiNuXfIrEfOx1',
    purgeAt: new Date(T0 + 120 * DAY),
    risk: null,
    verification: null,
    refreshRequestedAt: null,
  };
}

const liveness: Liveness = { now: new Date(T0 + 1000), idleTimeoutMs: null };
const limit = (max: number, onExceed: SessionLimit['onExceed'] = 'reject'): SessionLimit => ({
  max,
  onExceed,
  liveness,
  eviction: {
    status: 'REVOKED',
    reason: 'session_limit',
    endedAt: new Date(T0 + 1000),
    purgeAt: new Date(T0 + 91 * DAY),
    historyCap: 1000,
  },
});
const CREATE_OPTIONS = { deviceCap: 100, previousDeviceKeys: [] };

function deferred() {
  let release = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

/** Holds the next insertOne on `sessions` until released (a command stalled on the wire). */
function stallNextInsert(sessions: MemoryCollection) {
  const gate = deferred();
  const entered = deferred();
  const original = sessions.insertOne.bind(sessions);
  let stalled = false;
  sessions.insertOne = async (doc, options) => {
    if (stalled) return original(doc, options);
    stalled = true;
    entered.release();
    await gate.promise;
    return original(doc, options);
  };
  return { entered: entered.promise, release: gate.release };
}

/** A second store (another app server) over the same collections. */
function sibling(
  world: ReturnType<typeof createStoreOnMemoryCollections>,
  options: { timeout?: number; clock?: () => number } = {},
) {
  return createCollectionStore({
    sessions: world.sessions as unknown as mongo.Collection<SessionDoc>,
    locks: world.locks as unknown as mongo.Collection<LockDoc>,
    devices: world.devices as unknown as mongo.Collection<DeviceDoc>,
    lockCollectionName: 'sessionkit_sessions_locks',
    ...options,
  });
}

const liveCount = (world: ReturnType<typeof createStoreOnMemoryCollections>, userId: string) =>
  [...world.sessions.docs.values()].filter((d) => d.userId === userId && d.status === 'ACTIVE')
    .length;

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('the fenced per-user lease', () => {
  it("A's insert stalls past the lease, B takes the lapsed lease and inserts, A's insert lands: still at most max live sessions (A re-counts and removes its own)", async () => {
    let serverNow = T0;
    const world = createStoreOnMemoryCollections({ serverClock: () => serverNow, timeout: 5000 });
    const b = sibling(world, { timeout: 5000 });
    await world.store.create(record('alice'), null, CREATE_OPTIONS);
    const stall = stallNextInsert(world.sessions);
    const a = world.store.create(record('alice'), limit(2), CREATE_OPTIONS);
    await stall.entered;
    serverNow += 11_000; // A's lease lapsed on the server's clock
    const fromB = await b.create(record('alice'), limit(2), CREATE_OPTIONS);
    expect(fromB.outcome).toBe('created');
    stall.release(); // A's insert lands after B's
    const fromA = await a;
    expect(fromA).toEqual({ outcome: 'limit_reached', activeCount: 2 });
    expect(liveCount(world, 'alice')).toBe(2);
  });

  it('a create whose call fails while its insert is stalled deletes that session once the insert lands', async () => {
    const serverNow = T0;
    const world = createStoreOnMemoryCollections({ serverClock: () => serverNow, timeout: 100 });
    const b = sibling(world, { timeout: 5000 });
    await world.store.create(record('bob'), null, CREATE_OPTIONS);
    const stall = stallNextInsert(world.sessions);
    const mine = record('bob');
    const a = world.store.create(mine, limit(2), CREATE_OPTIONS).catch((e: unknown) => e);
    await stall.entered;
    expect(await a).toBeInstanceOf(SessionStoreError);
    // The failed call released its lease at once: B need not wait for it to lapse.
    expect((await b.create(record('bob'), limit(2), CREATE_OPTIONS)).outcome).toBe('created');
    stall.release();
    await flush();
    expect(world.sessions.docs.has(mine.id)).toBe(false);
    expect(liveCount(world, 'bob')).toBe(2);
  });

  it('an app server whose clock runs 20 s ahead cannot take a live lease (the lease runs on server time)', async () => {
    const world = createStoreOnMemoryCollections({ serverClock: () => T0, timeout: 5000 });
    const ahead = sibling(world, { timeout: 300, clock: () => T0 + 20_000 });
    await world.store.create(record('carol'), null, CREATE_OPTIONS);
    const stall = stallNextInsert(world.sessions);
    const a = world.store.create(record('carol'), limit(2), CREATE_OPTIONS);
    await stall.entered;
    const theirs = record('carol');
    const error = await ahead.create(theirs, limit(2), CREATE_OPTIONS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(world.sessions.docs.has(theirs.id)).toBe(false);
    stall.release();
    expect((await a).outcome).toBe('created');
    expect(liveCount(world, 'carol')).toBe(2);
  });
});

describe('each step is bounded by the time left on the lease', () => {
  it('a step that would start after the lease ran out is not sent (no insert), and the call fails', async () => {
    const world = createStoreOnMemoryCollections({ timeout: 5000, leaseMs: 60 });
    // The count under the lease takes longer than the whole lease.
    const find = world.sessions.find.bind(world.sessions);
    world.sessions.find = (filter, options) => {
      const cursor = find(filter, options);
      return {
        toArray: async () => {
          await new Promise((r) => setTimeout(r, 120));
          return cursor.toArray();
        },
      };
    };
    const mine = record('gina');
    const error = await world.store.create(mine, limit(2), CREATE_OPTIONS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(String((error as Error).message)).toMatch(/out of time/);
    expect(world.sessions.calls.map((c) => c.op)).not.toContain('insertOne');
    expect(world.sessions.docs.has(mine.id)).toBe(false);
  });

  it('commands under the lease carry a timeoutMS no longer than the lease left', async () => {
    const world = createStoreOnMemoryCollections({ timeout: 5000, leaseMs: 1000 });
    await world.store.create(record('hank'), limit(2), CREATE_OPTIONS);
    const underLease = world.sessions.calls.filter((c) => c.op === 'find' || c.op === 'insertOne');
    expect(underLease.length).toBeGreaterThanOrEqual(2);
    for (const call of underLease) {
      expect((call.options as { timeoutMS: number }).timeoutMS).toBeLessThanOrEqual(1000);
    }
  });
});

describe('no orphan sessions', () => {
  it('when the device upsert fails after the insert, create() fails and the session is gone (max 1 + reject: the next sign-in works)', async () => {
    const world = createStoreOnMemoryCollections({ timeout: 2000 });
    const original = world.devices.findOneAndUpdate.bind(world.devices);
    let failing = true;
    world.devices.findOneAndUpdate = async (...args) => {
      if (failing) throw new Error('not primary');
      return original(...args);
    };
    const first = record('dave');
    await expect(world.store.create(first, limit(1), CREATE_OPTIONS)).rejects.toBeInstanceOf(
      SessionStoreError,
    );
    await flush();
    expect(world.sessions.docs.has(first.id)).toBe(false);
    failing = false;
    expect((await world.store.create(record('dave'), limit(1), CREATE_OPTIONS)).outcome).toBe(
      'created',
    );
  });
});

describe('read and write options on every command', () => {
  it('reads ask for the primary; end transitions, evictions and the lease ask for a majority; each command has a timeoutMS', async () => {
    const world = createStoreOnMemoryCollections({ timeout: 2000 });
    const s1 = record('erin');
    await world.store.create(s1, null, CREATE_OPTIONS);
    await world.store.create(record('erin'), limit(1, 'revoke-oldest'), CREATE_OPTIONS);
    await world.store.get(s1.id);
    await world.store.listActive('erin', { limit: 100, after: null });
    const s3 = record('erin');
    await world.store.create(s3, null, CREATE_OPTIONS);
    await world.store.end(
      s3.id,
      {
        status: 'REVOKED',
        reason: 'test',
        endedAt: new Date(T0 + 2000),
        purgeAt: new Date(T0 + 91 * DAY),
        historyCap: 1000,
      },
      { userId: null, tokenHash: null },
    );
    const calls = [...world.sessions.calls, ...world.locks.calls, ...world.devices.calls];
    for (const call of calls) {
      expect(typeof (call.options as { timeoutMS?: unknown })?.timeoutMS, call.op).toBe('number');
      if (call.op === 'find' || call.op === 'findOne') {
        expect(call.options, call.op).toMatchObject({ readPreference: 'primary' });
      }
    }
    const majority = { writeConcern: { w: 'majority' } };
    const ends = world.sessions.calls.filter(
      (c) => c.op === 'updateMany' || c.op === 'findOneAndUpdate',
    );
    expect(ends.length).toBeGreaterThanOrEqual(2);
    for (const call of ends) expect(call.options, call.op).toMatchObject(majority);
    expect(world.locks.calls.length).toBeGreaterThanOrEqual(2);
    for (const call of world.locks.calls) expect(call.options, call.op).toMatchObject(majority);
  });

  it('while the connection is known down, a call fails at once and sends nothing', async () => {
    const world = createStoreOnMemoryCollections({
      gate: { state: () => 'down', opened: async () => {} },
    });
    const started = performance.now();
    await expect(world.store.get(record('f').id)).rejects.toBeInstanceOf(SessionStoreError);
    expect(performance.now() - started).toBeLessThan(100);
    expect(world.sessions.calls).toEqual([]);
  });
});

describe('cleanup() uses an index for each branch', () => {
  it('every $or branch of the not-live query is status equality plus one range, and a { status, <range> } index exists', async () => {
    const world = createStoreOnMemoryCollections({ timeout: 2000 });
    await world.store.cleanup({
      liveness: { now: new Date(T0 + DAY), idleTimeoutMs: 60_000 },
      historyRetentionMs: DAY,
    });
    const scan = world.sessions.calls.find((c) => c.op === 'find');
    const branches = (scan?.filter as { $or?: Record<string, unknown>[] } | undefined)?.$or ?? [];
    expect(branches.length).toBe(2);
    const indexes = createSessionSchema('sessions')
      .indexes()
      .map(([keys]) => Object.keys(keys).join(','));
    for (const branch of branches) {
      const fields = Object.keys(branch);
      expect(fields[0]).toBe('status');
      expect(indexes).toContain(fields.join(','));
    }
  });
});
