import { InvalidInputError } from '@sessionkit/core';
import { CAPS, createTestClock, makeRecord } from '@sessionkit/core/testing';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema } from './schema.js';

const clock = createTestClock();
const found = findPgBin();

if ('missing' in found) {
  describe('postgres prepared statements', () => {
    it.skip(`skipped: ${found.missing}`, () => {});
  });
} else {
  describe('postgres prepared statements', () => {
    let server: PgServer;
    /**
     * One connection of its own per test, so `pg_prepared_statements` shows
     * what that test's store calls prepared on it.
     */
    let pool: pg.Pool;

    beforeAll(async () => {
      server = await startPgServer({ bin: found.bin });
      const setup = new pg.Pool({ connectionString: server.url, max: 1 });
      await ensurePostgresSchema(setup);
      await ensurePostgresSchema(setup, { tablePrefix: 'other_' });
      await setup.end();
    }, 60_000);

    afterAll(() => server?.stop());

    beforeEach(() => {
      pool = new pg.Pool({ connectionString: server.url, max: 1 });
      pool.on('error', () => {});
    });

    afterEach(async () => {
      vi.restoreAllMocks();
      await pool.end();
    });

    const prepared = async () =>
      (
        await pool.query<{ name: string; statement: string }>(
          'SELECT name, statement FROM pg_prepared_statements ORDER BY name',
        )
      ).rows;

    const stored = async (store: ReturnType<typeof createPostgresStore>, userId: string) => {
      const { record } = makeRecord(clock, { userId });
      await store.create(record, null, CAPS);
      return record;
    };

    it('sends the lookup on every validate as a named statement, parsed once per connection', async () => {
      const store = createPostgresStore({ pool });
      const record = await stored(store, 'prep-a');
      await store.get(record.id);
      await store.get(record.id);
      const lookups = (await prepared()).filter((s) => /WHERE id = \$1$/.test(s.statement.trim()));
      expect(lookups).toHaveLength(1);
      expect(lookups[0]?.name).toMatch(/^sessionkit_[0-9a-f]{20}$/);
      expect((await store.get(record.id))?.id).toBe(record.id);
    });

    it('two stores with different table prefixes on one pool get different statement names', async () => {
      const one = createPostgresStore({ pool });
      const other = createPostgresStore({ pool, tablePrefix: 'other_' });
      const a = await stored(one, 'prep-b');
      const b = await stored(other, 'prep-b');
      expect((await one.get(a.id))?.id).toBe(a.id);
      expect((await other.get(b.id))?.id).toBe(b.id);
      expect(await other.get(a.id)).toBeNull();
      const names = (await prepared()).map((s) => s.name);
      expect(new Set(names).size).toBe(names.length);
      expect(names.length).toBeGreaterThanOrEqual(2);
    });

    it('preparedStatements: false sends every statement unnamed', async () => {
      const store = createPostgresStore({ pool, preparedStatements: false });
      const record = await stored(store, 'prep-c');
      expect((await store.get(record.id))?.id).toBe(record.id);
      expect(await prepared()).toEqual([]);
    });

    it('when the server loses its statements (a transaction-mode pooler, DEALLOCATE ALL) the call still answers and the store stops naming', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const store = createPostgresStore({ pool });
      const record = await stored(store, 'prep-d');
      await store.get(record.id);
      // Behind node-postgres' back: it still believes the statement is prepared
      // on this connection and sends only Bind, which the server refuses (26000).
      await pool.query('DEALLOCATE ALL');
      expect((await store.get(record.id))?.id).toBe(record.id);
      expect(await store.touch(record.id, touchOf(record))).toBe(true);
      expect(await prepared()).toEqual([]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('SQLSTATE 26000');
      expect(String(warn.mock.calls[0]?.[0])).not.toContain(record.tokenHash);
    });

    it('a migration that changes a column type under a running store (cached plan must not change result type) does not sign anyone out', async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const store = createPostgresStore({ pool });
      const record = await stored(store, 'prep-e');
      await store.get(record.id);
      await pool.query('ALTER TABLE sessionkit_sessions ALTER COLUMN end_reason TYPE varchar(200)');
      try {
        expect((await store.get(record.id))?.id).toBe(record.id);
      } finally {
        await pool.query('ALTER TABLE sessionkit_sessions ALTER COLUMN end_reason TYPE text');
      }
    });

    it('refuses a preparedStatements that is not a boolean', () => {
      expect(() =>
        createPostgresStore({ pool, preparedStatements: 'yes' as unknown as boolean }),
      ).toThrow(InvalidInputError);
    });
  });
}

function touchOf(record: { lastActivityAt: Date }) {
  const at = new Date(record.lastActivityAt.getTime() + 1_000);
  return {
    at,
    ifLastActivityAtOrBefore: record.lastActivityAt,
    liveness: { now: at, idleTimeoutMs: null },
  };
}
