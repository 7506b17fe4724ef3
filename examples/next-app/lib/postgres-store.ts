import type { SessionStore } from '@sessionkit/core';
import { createPostgresStore, ensurePostgresSchema } from '@sessionkit/postgres';
import pg from 'pg';

/**
 * `@sessionkit/postgres` on `DATABASE_URL`. The pool connects on first use, so
 * `next build` (which loads this module) never dials the database. The tables
 * are created on first use by `ensurePostgresSchema` (idempotent); an app with
 * a migration tool runs `migrations/*.sql` instead. `POSTGRES_TABLE_PREFIX`
 * (default `sessionkit_`) keeps servers that share a database apart, as
 * `REDIS_PREFIX` does on Redis.
 */
export function createExamplePostgresStore(databaseUrl: string): SessionStore {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // node-postgres reports idle clients' connection errors here; unhandled, they end the process.
  pool.on('error', (error: Error) => {
    console.error(`[sessionkit] PostgreSQL connection error: ${error.message}`);
  });
  const tables = { tablePrefix: process.env.POSTGRES_TABLE_PREFIX || 'sessionkit_' };
  const store = createPostgresStore({ pool, ...tables });
  let ready: Promise<void> | null = null;
  const schema = () => {
    ready ??= ensurePostgresSchema(pool, tables).catch((error: unknown) => {
      ready = null; // try again on the next call
      throw error;
    });
    return ready;
  };
  // Every method waits for the schema once; afterwards the promise is settled and costs nothing.
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await schema();
        return value.apply(target, args);
      };
    },
  });
}
