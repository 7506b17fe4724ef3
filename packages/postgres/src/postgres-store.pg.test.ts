import type { SessionStore } from '@sessionkit/core';
import { runStoreConformanceTests } from '@sessionkit/core/testing';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema, tableNames } from './schema.js';

const found = findPgBin();

if ('missing' in found) {
  describe('postgres store conformance', () => {
    it.skip(`skipped: ${found.missing}`, () => {});
  });
  console.warn(`[postgres] ${found.missing}`);
} else {
  let server: PgServer;
  let pool: pg.Pool;
  let n = 0;
  const prefixes = new WeakMap<SessionStore, string>();

  beforeAll(async () => {
    server = await startPgServer({ bin: found.bin });
    pool = new pg.Pool({ connectionString: server.url, max: 8 });
    pool.on('error', () => {});
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    server?.stop();
  });

  // Each factory call gets its own tables (a fresh prefix), so tests never share state.
  runStoreConformanceTests(
    'postgres',
    async ({ now }) => {
      const tablePrefix = `c${n++}_`;
      await ensurePostgresSchema(pool, { tablePrefix });
      const store = createPostgresStore({ pool, tablePrefix, now, timeout: 5_000 });
      prefixes.set(store, tablePrefix);
      return store;
    },
    {
      numRuns: 15,
      timeout: 20_000,
      // The row as PostgreSQL holds it. No ttlMs: rows have no storage expiry
      // (cleanup() deletes them past purgeAt).
      readBack: (store) => ({
        rawSession: async (id) => {
          const { sessions } = tableNames({ tablePrefix: prefixes.get(store) });
          const { rows } = await pool.query(`SELECT * FROM ${sessions} WHERE id = $1`, [id]);
          return rows[0] ?? null;
        },
      }),
    },
  );
}
