export { DEFAULT_TIMEOUT_MS } from './guard.js';
export { pendingSignInSchemaSql } from './pending-schema.js';
export type { PgPool, PgPoolClient, PgQueryable, PgQueryConfig, PgResult } from './pool.js';
export { createPostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export {
  ensurePostgresSchema,
  MAX_METADATA_JSON_BYTES,
  type PostgresMigration,
  type PostgresTableOptions,
  postgresMigrations,
  postgresSchemaSql,
} from './schema.js';
