import { hashToken, type SessionStore } from '@sessionkit/core';
import { CAPS, createTestClock, makeRecord } from '@sessionkit/core/testing';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema } from './schema.js';

const found = findPgBin();
const clock = createTestClock();
/** A complete ACTIVE record of `userId` (core's fixture). */
const testRecord = (userId: string, overrides: Parameters<typeof makeRecord>[1] = {}) =>
  makeRecord(clock, { ...overrides, userId }).record;

if ('missing' in found) {
  describe('postgres races and injection', () => {
    it.skip(`skipped: ${found.missing}`, () => {});
  });
} else {
  let server: PgServer;
  // Two pools stand for two app processes: no shared client, no shared JS state.
  let poolA: pg.Pool;
  let poolB: pg.Pool;
  let a: SessionStore;
  let b: SessionStore;

  beforeAll(async () => {
    server = await startPgServer({ bin: found.bin });
    poolA = new pg.Pool({ connectionString: server.url, max: 6 });
    poolB = new pg.Pool({ connectionString: server.url, max: 6 });
    for (const p of [poolA, poolB]) p.on('error', () => {});
    await ensurePostgresSchema(poolA, { schema: 'races' });
    // Open every connection first, so the races below really overlap instead of
    // being spaced out by connection set-up.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? poolA : poolB).query('SELECT pg_sleep(0.05)')),
    );
    a = createPostgresStore({ pool: poolA, schema: 'races', timeout: 5_000 });
    b = createPostgresStore({ pool: poolB, schema: 'races', timeout: 5_000 });
  }, 60_000);

  afterAll(async () => {
    await poolA?.end();
    await poolB?.end();
    server?.stop();
  });

  const limit = (max: number, onExceed: 'reject' | 'revoke-oldest') => {
    const now = new Date();
    return {
      max,
      onExceed,
      liveness: { now, idleTimeoutMs: null },
      eviction: {
        status: 'REVOKED' as const,
        reason: 'session_limit',
        endedAt: now,
        purgeAt: new Date(now.getTime() + 86_400_000),
        historyCap: 100,
      },
    };
  };

  const liveCount = async (userId: string) =>
    (await a.listActive(userId, { limit: 1000, after: null })).records.length;

  describe('session limit under concurrent logins from two processes', () => {
    it("'reject': 24 simultaneous logins on two pools create exactly max sessions", async () => {
      const user = `race-reject-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          (i % 2 ? a : b).create(testRecord(user), limit(3, 'reject'), CAPS),
        ),
      );
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(3);
      expect(await liveCount(user)).toBe(3);
    });

    it("'revoke-oldest': 24 simultaneous logins on two pools leave exactly max live sessions", async () => {
      const user = `race-evict-${Date.now()}`;
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          (i % 2 ? a : b).create(testRecord(user), limit(3, 'revoke-oldest'), CAPS),
        ),
      );
      expect(results.every((r) => r.outcome === 'created')).toBe(true);
      expect(await liveCount(user)).toBe(3);
      const evicted = results.flatMap((r) => (r.outcome === 'created' ? r.evicted : []));
      expect(new Set(evicted.map((r) => r.id)).size).toBe(21);
    });
  });

  it('refresh rotation: of concurrent rotations with one token on two pools exactly one rotates', async () => {
    const user = `race-rotate-${Date.now()}`;
    const record = testRecord(user);
    await a.create(record, null, CAPS);
    const now = new Date();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).rotateRefreshToken(record.id, {
          presentedHash: record.refreshTokenHash ?? '',
          tokenHash: hashToken(`t${i}`),
          refreshTokenHash: hashToken(`r${i}`),
          at: now,
          liveness: { now, idleTimeoutMs: null },
          maxRetiredHashes: 5,
          reuseGraceSince: null,
          onReuse: {
            status: 'REVOKED',
            reason: 'refresh_token_reuse',
            endedAt: now,
            purgeAt: new Date(now.getTime() + 86_400_000),
            historyCap: 100,
          },
        }),
      ),
    );
    expect(outcomes.filter((o) => o.outcome === 'rotated')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'rotated' || o.outcome === 'reused')).toHaveLength(
      8,
    );
  });

  it('ensurePostgresSchema: concurrent and repeated runs from two processes all succeed', async () => {
    const options = { schema: 'migrate_twice', tablePrefix: 'app_' };
    await Promise.all([
      ensurePostgresSchema(poolA, options),
      ensurePostgresSchema(poolB, options),
      ensurePostgresSchema(poolA, options),
    ]);
    await ensurePostgresSchema(poolB, options);
    const { rows } = await poolA.query(
      "SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'migrate_twice'",
    );
    // 3 primary keys + 5 session indexes + 1 device index + 2 federated (002) + 1 held sign-in (004).
    expect(rows[0].n).toBe(12);
  });

  describe('injection attempts are data, never SQL', () => {
    const hostile = [
      "o'brien",
      "x'); DROP TABLE races.sessionkit_sessions; --",
      '$1',
      '$1::text OR 1=1',
      '"; DELETE FROM races.sessionkit_devices; --',
      'ユーザー-😀-ü',
      '\\x00\\',
      "' OR ''='",
    ];

    it.each(hostile)('user id, session id, device key and metadata %j round-trip', async (evil) => {
      const record = testRecord(evil, {
        id: `${evil}-${Math.random()}`,
        deviceKey: evil,
        ipAddress: evil,
        userAgent: evil,
        metadata: { [evil]: evil, note: `${evil} $2 '`, nested: { q: [evil, "'", '"'] } },
      });
      await a.create(record, limit(1000, 'reject'), CAPS);
      expect(await b.get(record.id)).toEqual(record);
      const page = await b.listActive(evil, { limit: 1000, after: null });
      expect(page.records.map((r) => r.id)).toContain(record.id);
      expect(page.records.every((r) => r.userId === evil)).toBe(true);
      expect((await b.listDevices(evil)).map((d) => d.id)).toContain(evil);
      // A wildcard-looking or quote-bearing id never reaches another user's session.
      expect(await b.get("' OR 1=1 --")).toBeNull();
      expect(
        await a.end(
          record.id,
          {
            status: 'REVOKED',
            reason: evil,
            endedAt: new Date(),
            purgeAt: new Date(Date.now() + 86_400_000),
            historyCap: 100,
          },
          { userId: `${evil}x`, tokenHash: null },
        ),
      ).toBeNull();
      // The tables (sessions, devices, held sign-ins) are all still there.
      const { rows } = await poolA.query(
        "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'races'",
      );
      expect(rows[0].n).toBe(3);
    });

    it('NUL characters and lone surrogates are refused as invalid input, not as an outage', async () => {
      await expect(a.get('abc\u0000def')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(a.listActive('u-\ud800', { limit: 10, after: null })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await expect(
        a.create(testRecord('nul-meta', { metadata: { k: 'a\u0000b' } }), null, CAPS),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(
        a.create(testRecord('big-meta', { metadata: { k: 'x'.repeat(20_000) } }), null, CAPS),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });
  });
}
