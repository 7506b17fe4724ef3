import {
  type EndTransition,
  hashToken,
  InvalidInputError,
  type Liveness,
  type SessionLimit,
  type SessionRecord,
  type SessionStore,
} from '@sessionkit/core';
import { runStoreConformanceTests } from '@sessionkit/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemoryCollection, RecordedCall } from './test-support/memory-collection.js';
import { createStoreOnMemoryCollections } from './test-support/memory-store.js';

// The contract suite over in-memory collection doubles: proves the store's
// logic (filters, updates, the lease, read-backs) on every run, with or
// without a server. mongo-store.mongod.test.ts runs the same suite on a real
// mongod, which is what proves the MongoDB semantics.
// A generous timeout: the race cases run dozens of same-user creates at once,
// queued on one lease, on a machine that may be busy.
const collectionsOf = new WeakMap<SessionStore, MemoryCollection>();
runStoreConformanceTests(
  'mongo over in-memory collections (logic only; see mongod run)',
  () => {
    const { store, sessions } = createStoreOnMemoryCollections({ timeout: 10_000 });
    collectionsOf.set(store, sessions);
    return store;
  },
  {
    // The documents as stored; storage expiry is the TTL index on purgeAt.
    readBack: (store) => {
      const sessions = collectionsOf.get(store) as MemoryCollection;
      return {
        rawSession: async (id) => sessions.docs.get(id) ?? null,
        ttlMs: async (id) => {
          const purgeAt = sessions.docs.get(id)?.purgeAt;
          return purgeAt instanceof Date ? purgeAt.getTime() - Date.now() : null;
        },
      };
    },
  },
);

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
let seq = 0;

function sessionIdFor(n: number): string {
  return `shard0${n.toString().padStart(22, '0')}`;
}

function record(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const n = ++seq;
  const at = new Date(T0 + n);
  return {
    id: sessionIdFor(n),
    userId,
    status: 'ACTIVE',
    ipAddress: '203.0.113.9',
    userAgent: 'test',
    deviceInfo: {
      type: 'desktop',
      os: 'Linux',
      osVersion: null,
      browser: 'Firefox',
      browserVersion: null,
    },
    location: null,
    createdAt: at,
    lastActivityAt: at,
    expiresAt: new Date(T0 + 30 * DAY),
    endedAt: null,
    endReason: null,
    metadata: {},
    tokenHash: hashToken(`token-${n}`),
    refreshTokenHash: hashToken(`refresh-${n}`),
    retiredRefreshTokenHashes: [],
    deviceKey: 'dEvIcEkEyLiNuXfIrEfOx1',
    purgeAt: new Date(T0 + 120 * DAY),
    risk: null,
    verification: null,
    refreshRequestedAt: null,
    ...overrides,
  };
}

const live = (ms = T0 + 1000, idle: number | null = 20 * 60_000): Liveness => ({
  now: new Date(ms),
  idleTimeoutMs: idle,
});
const ending = (status: EndTransition['status'] = 'REVOKED'): EndTransition => ({
  status,
  reason: 'test',
  endedAt: new Date(T0 + 2000),
  purgeAt: new Date(T0 + 92 * DAY),
  historyCap: 1000,
});
const batch = (exceptSessionId: string | null) => ({
  exceptSessionId,
  liveness: live(),
  createdAtOrBefore: new Date(T0 + 10 * DAY),
  limit: 100,
  after: null,
});
const limit = (max: number, onExceed: SessionLimit['onExceed']): SessionLimit => ({
  max,
  onExceed,
  liveness: live(),
  eviction: ending(),
});

const WRITES = new Set(['updateOne', 'updateMany', 'findOneAndUpdate']);
const writesOf = (c: MemoryCollection): RecordedCall[] =>
  c.calls.filter((call) => WRITES.has(call.op));

/** Runs every kind of transition the store has, so the recorded calls cover them all. */
async function exerciseEveryTransition(store: SessionStore) {
  const a = record('alice');
  const b = record('alice');
  const c = record('alice');
  await store.create(a, null, { deviceCap: 100, previousDeviceKeys: [] });
  await store.create(b, null, { deviceCap: 100, previousDeviceKeys: [] });
  await store.create(c, limit(2, 'revoke-oldest'), { deviceCap: 100, previousDeviceKeys: [] });
  await store.touch(b.id, {
    at: new Date(T0 + 120_000),
    ifLastActivityAtOrBefore: new Date(T0 + 60_000),
    liveness: live(T0 + 120_000),
  });
  await store.rotateRefreshToken(c.id, {
    presentedHash: c.refreshTokenHash as string,
    tokenHash: hashToken('next-token'),
    refreshTokenHash: hashToken('next-refresh'),
    at: new Date(T0 + 130_000),
    liveness: live(T0 + 130_000),
    maxRetiredHashes: 5,
    reuseGraceSince: null,
    onReuse: ending(),
  });
  // Reuse of the retired hash: the revoking write.
  await store.rotateRefreshToken(c.id, {
    presentedHash: c.refreshTokenHash as string,
    tokenHash: hashToken('other-token'),
    refreshTokenHash: hashToken('other-refresh'),
    at: new Date(T0 + 140_000),
    liveness: live(T0 + 140_000),
    maxRetiredHashes: 5,
    reuseGraceSince: null,
    onReuse: ending(),
  });
  await store.end(b.id, ending('LOGGED_OUT'), { userId: 'alice', tokenHash: b.tokenHash });
  const d = record('alice');
  await store.create(d, null, { deviceCap: 100, previousDeviceKeys: [] });
  await store.endAllForUser('alice', ending(), batch(null));
  const e = record('alice');
  await store.create(e, null, { deviceCap: 100, previousDeviceKeys: [] });
  await store.markVerified(e.id, {
    verification: { verifiedAt: new Date(T0 + 3000), method: 'totp' },
    liveness: live(T0 + 3000),
    userId: 'alice',
  });
  await store.create(record('bob', { expiresAt: new Date(T0 + 5000) }), null, {
    deviceCap: 100,
    previousDeviceKeys: [],
  });
  await store.cleanup({ liveness: live(T0 + 10_000, 60_000), historyRetentionMs: DAY });
}

describe('writes the store issues', () => {
  it('every write to a session is a single-document or multi-document update filtered on status ACTIVE', async () => {
    const { store, sessions } = createStoreOnMemoryCollections();
    await exerciseEveryTransition(store);
    const writes = writesOf(sessions);
    // touch, rotate, reuse-revoke, end, eviction, endAllForUser, markVerified, cleanup
    expect(new Set(writes.map((w) => w.op))).toEqual(
      new Set(['updateOne', 'updateMany', 'findOneAndUpdate']),
    );
    expect(writes.length).toBeGreaterThanOrEqual(8);
    for (const write of writes) expect(write.filter.status).toBe('ACTIVE');
    // Nothing but inserts, conditional updates and the purge of expired retention.
    const others = sessions.calls.filter(
      (c) => !WRITES.has(c.op) && c.op !== 'find' && c.op !== 'findOne',
    );
    expect(new Set(others.map((c) => c.op))).toEqual(new Set(['insertOne', 'deleteMany']));
    for (const purge of others.filter((c) => c.op === 'deleteMany')) {
      expect(Object.keys(purge.filter)).toEqual(['purgeAt']);
    }
  });

  it('touch() is one updateOne guarded by liveness, the throttle and monotonic activity', async () => {
    const { store, sessions } = createStoreOnMemoryCollections();
    const r = record('alice');
    await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    sessions.calls.length = 0;
    const now = T0 + 120_000;
    await store.touch(r.id, {
      at: new Date(now),
      ifLastActivityAtOrBefore: new Date(now - 60_000),
      liveness: live(now, 600_000),
    });
    expect(sessions.calls).toHaveLength(1);
    expect(sessions.calls[0]).toMatchObject({
      op: 'updateOne',
      filter: {
        _id: r.id,
        status: 'ACTIVE',
        expiresAt: { $gt: new Date(now) },
        lastActivityAt: {
          $gt: new Date(now - 600_000),
          $lte: new Date(now - 60_000),
          $lt: new Date(now),
        },
      },
      update: { $set: { lastActivityAt: new Date(now) } },
    });
  });

  it('end() is one findOneAndUpdate whose filter carries the owner and token guards', async () => {
    const { store, sessions } = createStoreOnMemoryCollections();
    const r = record('alice');
    await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    sessions.calls.length = 0;
    await store.end(r.id, ending(), { userId: 'alice', tokenHash: r.tokenHash });
    // Then one bounded, index-backed read of any ended sessions beyond the history cap.
    expect(sessions.calls.map((c) => c.op)).toEqual(['findOneAndUpdate', 'find']);
    expect(sessions.calls[1]?.options).toMatchObject({ skip: 1000, limit: 1000 });
    expect(sessions.calls[0]?.filter).toEqual({
      _id: r.id,
      status: 'ACTIVE',
      userId: 'alice',
      tokenHash: r.tokenHash,
    });
  });

  it('endAllForUser() is one bounded page read, one updateMany, then one read of the batch it stamped', async () => {
    const { store, sessions } = createStoreOnMemoryCollections();
    const keep = record('alice');
    const others = [record('alice'), record('alice')];
    for (const r of [keep, ...others])
      await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    sessions.calls.length = 0;
    const { ended, next } = await store.endAllForUser('alice', ending(), batch(keep.id));
    expect(ended).toHaveLength(2);
    expect(next).toBeNull();
    // The history cap check follows (a bounded find of what lies beyond the cap).
    expect(sessions.calls.map((c) => c.op)).toEqual(['find', 'updateMany', 'find', 'find']);
    const [page, update, read] = sessions.calls;
    expect(page?.options).toMatchObject({ sort: { expiresAt: -1, _id: -1 }, limit: 101 });
    expect(update?.filter).toMatchObject({
      userId: 'alice',
      status: 'ACTIVE',
      _id: {
        $in: others
          .map((r) => r.id)
          .sort()
          .reverse(),
      },
    });
    const marker = (update?.update as { $set: { endBatch: string } } | undefined)?.$set.endBatch;
    expect(marker).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(read?.filter).toEqual({
      _id: {
        $in: others
          .map((r) => r.id)
          .sort()
          .reverse(),
      },
      userId: 'alice',
      endBatch: marker,
    });
    // The marker is storage-only: it never reaches a returned record.
    expect(ended.every((r) => !('endBatch' in r))).toBe(true);
  });

  it('rotateRefreshToken() rotates with one findOneAndUpdate that compares the refresh hash', async () => {
    const { store, sessions } = createStoreOnMemoryCollections();
    const r = record('alice');
    await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    sessions.calls.length = 0;
    const result = await store.rotateRefreshToken(r.id, {
      presentedHash: r.refreshTokenHash as string,
      tokenHash: hashToken('t2'),
      refreshTokenHash: hashToken('r2'),
      at: new Date(T0 + 5000),
      liveness: live(T0 + 5000),
      maxRetiredHashes: 2,
      reuseGraceSince: null,
      onReuse: ending(),
    });
    expect(result.outcome).toBe('rotated');
    expect(sessions.calls.map((c) => c.op)).toEqual(['findOneAndUpdate']);
    expect(sessions.calls[0]?.filter).toMatchObject({
      _id: r.id,
      status: 'ACTIVE',
      refreshTokenHash: r.refreshTokenHash,
    });
  });

  it('markVerified() is one findOneAndUpdate guarded by liveness and the owner', async () => {
    const { store, sessions } = createStoreOnMemoryCollections();
    const r = record('alice');
    await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    sessions.calls.length = 0;
    const verifiedAt = new Date(T0 + 5000);
    const updated = await store.markVerified(r.id, {
      verification: { verifiedAt, method: 'webauthn' },
      liveness: live(T0 + 5000, 600_000),
      userId: 'alice',
    });
    expect(updated?.verification).toEqual({ verifiedAt, method: 'webauthn' });
    expect(sessions.calls.map((c) => c.op)).toEqual(['findOneAndUpdate']);
    expect(sessions.calls[0]?.filter).toEqual({
      _id: r.id,
      status: 'ACTIVE',
      expiresAt: { $gt: new Date(T0 + 5000) },
      lastActivityAt: { $gt: new Date(T0 + 5000 - 600_000) },
      userId: 'alice',
    });
  });

  it('create() with a limit counts, evicts and inserts while holding the per-user lease, then releases it', async () => {
    const { store, sessions, locks } = createStoreOnMemoryCollections();
    await store.create(record('alice'), null, { deviceCap: 100, previousDeviceKeys: [] });
    const result = await store.create(record('alice'), limit(1, 'revoke-oldest'), {
      deviceCap: 100,
      previousDeviceKeys: [],
    });
    expect(result.outcome === 'created' && result.evicted).toHaveLength(1);
    expect(locks.calls.map((c) => c.op)).toEqual(['findOneAndUpdate', 'deleteOne']);
    expect(locks.calls[0]?.filter).toMatchObject({ _id: 'alice' });
    expect(locks.calls[0]?.options).toMatchObject({ upsert: true });
    expect(locks.docs.size).toBe(0);
    expect(sessions.calls.filter((c) => c.op === 'insertOne')).toHaveLength(2);
  });
});

describe('known devices', () => {
  const at = (ms: number) => () => T0 + ms;

  it('create() inserts the session, then upserts the device entry in one findOneAndUpdate', async () => {
    const { store, sessions, devices } = createStoreOnMemoryCollections({ clock: at(0) });
    const r = record('alice', {
      ipAddress: '$where',
      location: { country: '$ne', region: null, city: '$city', latitude: 1.5, longitude: -2.25 },
    });
    const result = await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    expect(result.outcome === 'created' && result.knownDevice).toBe(false);
    expect(sessions.calls.map((c) => c.op)).toEqual(['insertOne']);
    // A new device: then one bounded read of entries beyond the device cap.
    expect(devices.calls.map((c) => c.op)).toEqual(['findOneAndUpdate', 'find']);
    expect(devices.calls[0]?.filter).toEqual({ _id: `${r.deviceKey}:alice` });
    expect(devices.calls[0]?.options).toMatchObject({ upsert: true, returnDocument: 'before' });
    // Caller strings that look like field paths are stored as they are.
    expect(devices.docs.get(`${r.deviceKey}:alice`)).toMatchObject({
      userId: 'alice',
      deviceId: r.deviceKey,
      firstSeenAt: r.createdAt,
      lastIpAddress: '$where',
      lastLocation: {
        country: '$ne',
        region: null,
        city: '$city',
        latitude: 1.5,
        longitude: -2.25,
      },
      purgeAt: r.purgeAt,
    });
  });

  it('keeps firstSeenAt and the later purgeAt of a live entry; an entry past purgeAt starts over', async () => {
    const { store, devices } = createStoreOnMemoryCollections({ clock: at(0) });
    const first = record('alice', { purgeAt: new Date(T0 + 50 * DAY) });
    await store.create(first, null, { deviceCap: 100, previousDeviceKeys: [] });
    const second = record('alice', { purgeAt: new Date(T0 + 40 * DAY) });
    const again = await store.create(second, null, { deviceCap: 100, previousDeviceKeys: [] });
    expect(again.outcome === 'created' && again.knownDevice).toBe(true);
    const id = `${first.deviceKey}:alice`;
    expect(devices.docs.get(id)).toMatchObject({
      firstSeenAt: first.createdAt,
      lastSeenAt: second.createdAt,
      purgeAt: first.purgeAt,
    });
    // Past purgeAt, not yet deleted by the TTL monitor: absent for every purpose.
    const late = record('alice', {
      createdAt: new Date(T0 + 60 * DAY),
      purgeAt: new Date(T0 + 150 * DAY),
    });
    const stale = await store.create(late, null, { deviceCap: 100, previousDeviceKeys: [] });
    expect(stale.outcome === 'created' && stale.knownDevice).toBe(false);
    expect(devices.docs.get(id)).toMatchObject({
      firstSeenAt: late.createdAt,
      purgeAt: late.purgeAt,
    });
  });

  it('two first sign-ins from one device racing on the upsert: the loser retries and finds it known', async () => {
    const { store, devices } = createStoreOnMemoryCollections({ clock: at(0) });
    const r = record('alice');
    const upsert = devices.findOneAndUpdate.bind(devices);
    let raced = false;
    devices.findOneAndUpdate = async (filter, update, options) => {
      if (!raced) {
        raced = true;
        await upsert(filter, update, options); // the other sign-in inserts first
        throw Object.assign(new Error('E11000 duplicate key error'), { code: 11000 });
      }
      return upsert(filter, update, options);
    };
    const result = await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    expect(result.outcome === 'created' && result.knownDevice).toBe(true);
    expect(devices.docs.size).toBe(1);
  });

  it('listDevices() and forgetDevice() ignore entries past purgeAt; forgetDevice() is one deleteOne', async () => {
    let now = T0;
    const { store, devices } = createStoreOnMemoryCollections({ clock: () => now });
    const a = record('alice', { purgeAt: new Date(T0 + 10 * DAY) });
    const b = record('alice', {
      deviceKey: 'oThErDeViCeKeY00000001',
      purgeAt: new Date(T0 + 20 * DAY),
    });
    await store.create(a, null, { deviceCap: 100, previousDeviceKeys: [] });
    await store.create(b, null, { deviceCap: 100, previousDeviceKeys: [] });
    expect((await store.listDevices('alice')).map((d) => d.id).sort()).toEqual(
      [a.deviceKey, b.deviceKey].sort(),
    );
    now = T0 + 15 * DAY;
    expect((await store.listDevices('alice')).map((d) => d.id)).toEqual([b.deviceKey]);
    devices.calls.length = 0;
    expect(await store.forgetDevice('alice', a.deviceKey)).toBe(false);
    expect(await store.forgetDevice('alice', b.deviceKey)).toBe(true);
    expect(devices.calls.map((c) => c.op)).toEqual(['deleteOne', 'deleteOne']);
    expect(devices.calls[1]?.filter).toEqual({
      _id: `${b.deviceKey}:alice`,
      purgeAt: { $gt: new Date(now) },
    });
    expect(await store.listDevices('alice')).toEqual([]);
  });

  it('cleanup() deletes device entries past purgeAt, as their TTL index would', async () => {
    const { store, devices } = createStoreOnMemoryCollections({ clock: at(0) });
    await store.create(record('alice', { purgeAt: new Date(T0 + 5000) }), null, {
      deviceCap: 100,
      previousDeviceKeys: [],
    });
    await store.create(record('bob'), null, { deviceCap: 100, previousDeviceKeys: [] });
    const result = await store.cleanup({
      liveness: live(T0 + 6000, null),
      historyRetentionMs: DAY,
    });
    expect(result.purged).toBe(1); // sessions only
    expect([...devices.docs.values()].map((d) => d.userId)).toEqual(['bob']);
  });
});

describe('the per-user lease', () => {
  it('waits for a lease held by a crashed process and takes it over once it lapses', async () => {
    let now = Date.UTC(2026, 5, 1);
    const { store, locks } = createStoreOnMemoryCollections({
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    locks.docs.set('alice', { _id: 'alice', holder: 'dead', lockedUntil: new Date(now + 3000) });
    const result = await store.create(record('alice'), limit(3, 'reject'), {
      deviceCap: 100,
      previousDeviceKeys: [],
    });
    expect(result.outcome).toBe('created');
    expect(now).toBeGreaterThanOrEqual(Date.UTC(2026, 5, 1) + 3000);
    expect(locks.docs.size).toBe(0);
  });

  it('gives up with an error (core fails closed) when the lease never frees, and writes nothing', async () => {
    let now = Date.UTC(2026, 5, 1);
    const { store, sessions, locks } = createStoreOnMemoryCollections({
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    locks.docs.set('alice', {
      _id: 'alice',
      holder: 'other',
      lockedUntil: new Date(now + 3_600_000),
    });
    const r = record('alice');
    const error = await store
      .create(r, limit(3, 'reject'), { deviceCap: 100, previousDeviceKeys: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/timed out .* same user/);
    expect(String((error as Error).message)).not.toContain('alice');
    expect(sessions.docs.size).toBe(0);
    expect(locks.docs.get('alice')?.holder).toBe('other');
  });
});

describe('input validation (operator injection)', () => {
  const injections: unknown[] = [
    { $ne: null },
    { $gt: '' },
    { $regex: '.*' },
    { $where: 'true' },
    ['a'],
    42,
    null,
    undefined,
  ];

  // Arguments where null legitimately means "not checked" skip the null case.
  const nullable = new Set([
    'end(guard.userId)',
    'end(guard.tokenHash)',
    'endAllForUser(exceptSessionId)',
    'listActive(after)',
    'markVerified(update.userId)',
  ]);

  const calls: Array<[string, (store: SessionStore, bad: never) => Promise<unknown>]> = [
    ['get(sessionId)', (s, bad) => s.get(bad)],
    ['listActive(userId)', (s, bad) => s.listActive(bad, { limit: 10, after: null })],
    ['listActive(after)', (s, bad) => s.listActive('alice', { limit: 10, after: bad })],
    [
      'listEnded(statuses)',
      (s, bad) => s.listEnded('alice', { statuses: [bad], limit: 10, after: null }),
    ],
    [
      'touch(sessionId)',
      (s, bad) =>
        s.touch(bad, {
          at: new Date(T0),
          ifLastActivityAtOrBefore: new Date(T0),
          liveness: live(),
        }),
    ],
    [
      'touch(update.at)',
      (s, bad) =>
        s.touch(sessionIdFor(1), {
          at: bad,
          ifLastActivityAtOrBefore: new Date(T0),
          liveness: live(),
        }),
    ],
    ['end(sessionId)', (s, bad) => s.end(bad, ending(), { userId: null, tokenHash: null })],
    [
      'end(guard.userId)',
      (s, bad) => s.end(sessionIdFor(1), ending(), { userId: bad, tokenHash: null }),
    ],
    [
      'end(guard.tokenHash)',
      (s, bad) => s.end(sessionIdFor(1), ending(), { userId: null, tokenHash: bad }),
    ],
    ['endAllForUser(userId)', (s, bad) => s.endAllForUser(bad, ending(), batch(null))],
    ['endAllForUser(exceptSessionId)', (s, bad) => s.endAllForUser('alice', ending(), batch(bad))],
    [
      'create(record.id)',
      (s, bad) =>
        s.create(record('alice', { id: bad }), null, { deviceCap: 100, previousDeviceKeys: [] }),
    ],
    [
      'create(record.userId)',
      (s, bad) =>
        s.create(record('alice', { userId: bad }), null, {
          deviceCap: 100,
          previousDeviceKeys: [],
        }),
    ],
    [
      'create(record.tokenHash)',
      (s, bad) =>
        s.create(record('alice', { tokenHash: bad }), null, {
          deviceCap: 100,
          previousDeviceKeys: [],
        }),
    ],
    [
      'create(record.deviceKey)',
      (s, bad) =>
        s.create(record('alice', { deviceKey: bad }), null, {
          deviceCap: 100,
          previousDeviceKeys: [],
        }),
    ],
    ['listDevices(userId)', (s, bad) => s.listDevices(bad)],
    ['forgetDevice(userId)', (s, bad) => s.forgetDevice(bad, 'dEvIcEkEyLiNuXfIrEfOx1')],
    ['forgetDevice(deviceId)', (s, bad) => s.forgetDevice('alice', bad)],
    [
      'markVerified(sessionId)',
      (s, bad) =>
        s.markVerified(bad, {
          verification: { verifiedAt: new Date(T0), method: 'totp' },
          liveness: live(),
          userId: null,
        }),
    ],
    [
      'markVerified(update.userId)',
      (s, bad) =>
        s.markVerified(sessionIdFor(1), {
          verification: { verifiedAt: new Date(T0), method: 'totp' },
          liveness: live(),
          userId: bad,
        }),
    ],
    [
      'markVerified(verification.method)',
      (s, bad) =>
        s.markVerified(sessionIdFor(1), {
          verification: { verifiedAt: new Date(T0), method: bad },
          liveness: live(),
          userId: null,
        }),
    ],
    ['getPendingSignIn(key)', (s, bad) => s.getPendingSignIn(bad, new Date(T0))],
    [
      'holdSignIn(userId)',
      (s, bad) =>
        s.holdSignIn({ key: 'k'.repeat(49), userId: bad, expiresAt: new Date(T0), payload: '{}' }),
    ],
    [
      'completeSignIn(key)',
      (s, bad) =>
        s.completeSignIn(bad, {
          userId: 'alice',
          endSessionId: sessionIdFor(1),
          end: ending(),
          record: record('alice'),
          limit: { max: 2, onExceed: 'reject', liveness: live(), eviction: ending() },
          options: { deviceCap: 100, previousDeviceKeys: [] },
        }),
    ],
    [
      'completeSignIn(endSessionId)',
      (s, bad) =>
        s.completeSignIn('k'.repeat(49), {
          userId: 'alice',
          endSessionId: bad,
          end: ending(),
          record: record('alice'),
          limit: { max: 2, onExceed: 'reject', liveness: live(), eviction: ending() },
          options: { deviceCap: 100, previousDeviceKeys: [] },
        }),
    ],
    [
      'rotateRefreshToken(presentedHash)',
      (s, bad) =>
        s.rotateRefreshToken(sessionIdFor(1), {
          presentedHash: bad,
          tokenHash: hashToken('a'),
          refreshTokenHash: hashToken('b'),
          at: new Date(T0),
          liveness: live(),
          maxRetiredHashes: 3,
          reuseGraceSince: null,
          onReuse: ending(),
        }),
    ],
  ];

  it.each(calls)(
    '%s rejects operator objects and non-strings before any query',
    async (name, call) => {
      for (const bad of injections) {
        if (bad === null && nullable.has(name)) continue;
        const { store, sessions, locks, devices } = createStoreOnMemoryCollections();
        await expect(call(store, bad as never)).rejects.toBeInstanceOf(InvalidInputError);
        expect(sessions.calls).toEqual([]);
        expect(locks.calls).toEqual([]);
        expect(devices.calls).toEqual([]);
      }
    },
  );

  it('a session id must be exactly 28 base64url characters, a hash exactly 43', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (text) => {
        const { store, sessions } = createStoreOnMemoryCollections();
        const validId = /^[A-Za-z0-9_-]{28}$/.test(text);
        const get = store.get(text);
        if (validId) await expect(get).resolves.toBeNull();
        else await expect(get).rejects.toBeInstanceOf(InvalidInputError);
        const validHash = /^[A-Za-z0-9_-]{43}$/.test(text);
        const end = store.end(sessionIdFor(1), ending(), { userId: null, tokenHash: text });
        if (validHash) await expect(end).resolves.toBeNull();
        else await expect(end).rejects.toBeInstanceOf(InvalidInputError);
        expect(sessions.calls).toHaveLength(Number(validId) + Number(validHash));
      }),
      { numRuns: 200 },
    );
  });

  it('validation errors name the field, never the value', async () => {
    const { store } = createStoreOnMemoryCollections();
    const secret = `${hashToken('secret')}!`;
    const error = await store
      .end(sessionIdFor(1), ending(), { userId: null, tokenHash: secret })
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain('guard.tokenHash');
    expect((error as Error).message).not.toContain(secret.slice(0, 20));
  });
});

describe('cleanup()', () => {
  it('expires each record at its own expiry (idle or absolute) and sets purgeAt from it', async () => {
    const { store } = createStoreOnMemoryCollections();
    const idle = record('alice');
    const absolute = record('alice', { expiresAt: new Date(T0 + 1000) });
    const fresh = record('alice', { lastActivityAt: new Date(T0 + 50_000) });
    for (const r of [idle, absolute, fresh])
      await store.create(r, null, { deviceCap: 100, previousDeviceKeys: [] });
    const { expired } = await store.cleanup({
      liveness: live(T0 + 61_000, 60_000),
      historyRetentionMs: DAY,
    });
    const byId = new Map(expired.map((r) => [r.id, r]));
    expect([...byId.keys()].sort()).toEqual([idle.id, absolute.id].sort());
    expect(byId.get(idle.id)).toMatchObject({
      status: 'EXPIRED',
      endReason: 'idle_timeout',
      endedAt: new Date(idle.lastActivityAt.getTime() + 60_000),
      purgeAt: new Date(idle.lastActivityAt.getTime() + 60_000 + DAY),
    });
    expect(byId.get(absolute.id)).toMatchObject({
      status: 'EXPIRED',
      endReason: 'expired',
      endedAt: absolute.expiresAt,
      purgeAt: new Date(absolute.expiresAt.getTime() + DAY),
    });
    expect((await store.get(fresh.id))?.status).toBe('ACTIVE');
  });

  it('deletes records whose purgeAt passed, as the TTL index would', async () => {
    const { store } = createStoreOnMemoryCollections();
    const old = record('alice', { purgeAt: new Date(T0 + 5000) });
    await store.create(old, null, { deviceCap: 100, previousDeviceKeys: [] });
    await store.create(record('alice'), null, { deviceCap: 100, previousDeviceKeys: [] });
    const result = await store.cleanup({
      liveness: live(T0 + 6000, null),
      historyRetentionMs: DAY,
    });
    expect(result.purged).toBe(1);
    expect(await store.get(old.id)).toBeNull();
  });
});
