import { runStoreConformanceTests } from '@sessionkit/core/testing';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema } from './schema.js';

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
      return createPostgresStore({ pool, tablePrefix, now, timeout: 5_000 });
    },
    { numRuns: 15, timeout: 20_000 },
  );
}
