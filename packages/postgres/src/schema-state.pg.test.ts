import { CAPS, createTestClock, makeRecord } from '@sessionkit/core/testing';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema, postgresMigrations } from './schema.js';
import { schemaObjectsOf } from './schema-state.js';

describe('the objects the migration steps create, read off their SQL', () => {
  it('names every table, index and added column of the shipped steps', () => {
    const objects = schemaObjectsOf(postgresMigrations().map((m) => m.sql));
    expect(objects.relations).toEqual(
      expect.arrayContaining([
        'sessionkit_sessions',
        'sessionkit_devices',
        'sessionkit_pending_sign_ins',
        'sessionkit_sessions_user_active',
        'sessionkit_sessions_origin_sid',
        'sessionkit_pending_sign_ins_expiry',
      ]),
    );
    expect(objects.columns).toEqual(
      expect.arrayContaining([
        ['sessionkit_sessions', 'origin'],
        ['sessionkit_sessions', 'refresh_requested_at'],
        ['sessionkit_sessions', 'trusted_device'],
      ]),
    );
  });
});

const found = findPgBin();

if ('missing' in found) {
  describe('ensurePostgresSchema on a real server', () => {
    it.skip(`skipped: ${found.missing}`, () => {});
  });
} else {
  describe('ensurePostgresSchema on a real server', () => {
    let server: PgServer;
    let pool: pg.Pool;

    beforeAll(async () => {
      server = await startPgServer({ bin: found.bin });
      pool = new pg.Pool({ connectionString: server.url, max: 4 });
      pool.on('error', () => {});
      await ensurePostgresSchema(pool);
    }, 60_000);

    afterAll(async () => {
      await pool?.end();
      server?.stop();
    });

    it('on a schema that is up to date takes no lock: a new server starting while sessions are read blocks no one', async () => {
      const store = createPostgresStore({ pool, timeout: 2_000 });
      const { record } = makeRecord(createTestClock(), { userId: 'reader' });
      await store.create(record, null, CAPS);
      // Another server's request holds a transaction that read the sessions table.
      const reader = await pool.connect();
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM sessionkit_sessions');
      try {
        // A second app instance starts up. Before the check, its ALTER TABLE …
        // ADD COLUMN IF NOT EXISTS queued for an ACCESS EXCLUSIVE lock behind the
        // open transaction, and every read of the table queued behind it.
        const starting = ensurePostgresSchema(pool).then(() => 'done' as const);
        const stalled = new Promise<'stalled'>((resolve) => setTimeout(resolve, 3_000, 'stalled'));
        expect(await Promise.race([starting, stalled])).toBe('done');
        expect((await store.get(record.id))?.id).toBe(record.id);
      } finally {
        await reader.query('COMMIT');
        reader.release();
      }
    });

    it('applies what is missing: a dropped column and a dropped index come back', async () => {
      await pool.query('ALTER TABLE sessionkit_sessions DROP COLUMN trusted_device');
      await pool.query('DROP INDEX sessionkit_sessions_origin_sid');
      await ensurePostgresSchema(pool);
      const { rows } = await pool.query(
        `SELECT
           EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_name = 'sessionkit_sessions' AND column_name = 'trusted_device') AS col,
           EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'sessionkit_sessions_origin_sid') AS idx`,
      );
      expect(rows[0]).toEqual({ col: true, idx: true });
    });

    it('creates everything in a new schema and prefix', async () => {
      await ensurePostgresSchema(pool, { schema: 'auth_state', tablePrefix: 'sk_' });
      const { rows } = await pool.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'auth_state' ORDER BY tablename`,
      );
      expect(rows.map((r) => r.tablename)).toEqual([
        'sk_devices',
        'sk_pending_sign_ins',
        'sk_sessions',
      ]);
    });
  });
}
