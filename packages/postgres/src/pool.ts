import { InvalidInputError } from '@sessionkit/core';

/** The result shape node-postgres (and its Neon / Vercel forks) return. */
export interface PgResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

/** A query config object as node-postgres accepts it. */
export interface PgQueryConfig {
  /** node-postgres: a named (server-side prepared) statement, parsed once per connection. */
  name?: string | undefined;
  text: string;
  values?: unknown[];
  /** node-postgres: reject the query client-side after this many ms. */
  query_timeout?: number;
}

/** Anything with node-postgres' `query(text, values)`: a `pg.Pool`, a `pg.Client`, a checked-out client. */
export interface PgQueryable {
  // biome-ignore lint/suspicious/noExplicitAny: node-postgres' own signature is generic over the row type.
  query(config: PgQueryConfig | string, values?: unknown[]): Promise<PgResult<any>>;
}

/** A client checked out of a pool, for the store's few multi-statement transactions. */
export interface PgPoolClient extends PgQueryable {
  /** Returns the client; an error destroys it instead (its connection state is unknown). */
  release(error?: Error | boolean): void;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

/** A pool: `query` for single statements, `connect` for transactions (`pg.Pool`, Neon's `Pool`, `@vercel/postgres`' `db`). */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
}

/**
 * Refuses what cannot serve the store with the fix, at construction rather than
 * at the first login: `create()` needs a transaction on one connection, so an
 * HTTP query function such as `neon()` from `@neondatabase/serverless` (no
 * `connect()`) or a connection string will not do.
 */
export function checkPool(pool: unknown): asserts pool is PgPool {
  const candidate = pool as Partial<PgPool> | null | undefined;
  if (typeof candidate?.query === 'function' && typeof candidate.connect === 'function') return;
  throw new InvalidInputError(
    "createPostgresStore: `pool` must be a connection pool with query() and connect(), such as `new pg.Pool(…)`, `new Pool(…)` from '@neondatabase/serverless' or `createPool()` from '@vercel/postgres'. An HTTP query function (neon() from '@neondatabase/serverless') cannot hold the transaction a login needs.",
  );
}
