import { readFileSync } from 'node:fs';
import { createSessionManager } from '@sessionkit/core';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema } from './schema.js';
import { sessionkitDevices, sessionkitSessions } from './test-support/drizzle-schema.js';

// The ORM snippets of docs/adapters/postgres.md, run: Drizzle's table
// definitions against the tables ensurePostgresSchema() creates, compared
// through the catalog, and used to read what the store wrote.

const found = findPgBin();

describe('the Drizzle snippet in the docs is the file this test runs', () => {
  it('docs/adapters/postgres.md holds test-support/drizzle-schema.ts verbatim', () => {
    const file = readFileSync(new URL('./test-support/drizzle-schema.ts', import.meta.url), 'utf8');
    const code = file.replace(/^(\/\/.*\n)+/, '');
    const docs = readFileSync(
      new URL('../../../docs/adapters/postgres.md', import.meta.url),
      'utf8',
    );
    expect(docs).toContain(`\`\`\`ts\n${code}\`\`\``);
  });
});

if ('missing' in found) {
  describe('ORM snippets on PostgreSQL', () => {
    it.skip(`skipped: ${found.missing}`, () => {});
  });
} else {
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

  /** Columns as the catalog has them: name, SQL type, NOT NULL, in table order. */
  const catalogColumns = async (table: string) =>
    (
      await pool.query<{ name: string; type: string; not_null: boolean }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
           FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum`,
        [table],
      )
    ).rows;

  const primaryKey = async (table: string) =>
    (
      await pool.query<{ name: string }>(
        `SELECT a.attname AS name FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [table],
      )
    ).rows.map((r) => r.name);

  /** What Drizzle's definition declares, in the catalog's spelling. */
  const drizzleColumns = (table: PgTable) => {
    const config = getTableConfig(table);
    return {
      name: config.name,
      columns: config.columns.map((c) => ({
        name: c.name,
        type: c.getSQLType(),
        not_null: c.notNull || c.primary,
      })),
      primaryKey: [
        ...config.columns.filter((c) => c.primary).map((c) => c.name),
        ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
      ],
      indexes: config.indexes.map((ix) => ix.config.name),
    };
  };

  it.each([
    ['sessions', sessionkitSessions],
    ['devices', sessionkitDevices],
  ] as const)(
    'Drizzle %s: every column, type, NOT NULL and the primary key match the catalog',
    async (_, table) => {
      const drizzled = drizzleColumns(table);
      expect(await catalogColumns(drizzled.name)).toEqual(drizzled.columns);
      expect(await primaryKey(drizzled.name)).toEqual(drizzled.primaryKey);
      for (const name of drizzled.indexes) {
        const { rowCount } = await pool.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [
          name,
        ]);
        expect(rowCount, `index ${name}`).toBe(1);
      }
    },
  );

  it('Drizzle reads what the store wrote: dates as Date, jsonb as objects, the hash array as an array', async () => {
    const manager = createSessionManager({
      store: createPostgresStore({ pool }),
      secret: 'orm-snippets-secret-'.repeat(2),
    });
    const { session } = await manager.create({
      userId: 'drizzle-user',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
      ipAddress: '203.0.113.9',
      metadata: { plan: 'pro' },
    });
    const db = drizzle(pool);
    const [row] = await db
      .select()
      .from(sessionkitSessions)
      .where(eq(sessionkitSessions.id, session.id));
    expect(row).toMatchObject({
      id: session.id,
      userId: 'drizzle-user',
      status: 'ACTIVE',
      metadata: { plan: 'pro' },
      endedAt: null,
      retiredRefreshTokenHashes: [],
    });
    expect(row?.expiresAt).toEqual(session.expiresAt);
    const devices = await db
      .select()
      .from(sessionkitDevices)
      .where(eq(sessionkitDevices.userId, 'drizzle-user'));
    expect(devices).toHaveLength(1);
    expect(devices[0]?.firstSeenAt).toBeInstanceOf(Date);
  });
}
