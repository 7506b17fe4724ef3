export { DEFAULT_TIMEOUT_MS } from './guard.js';
export type { PgPool, PgPoolClient, PgQueryable, PgQueryConfig, PgResult } from './pool.js';
export { createPostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export {
  ensurePostgresSchema,
  MAX_METADATA_JSON_BYTES,
  type PostgresTableOptions,
  postgresSchemaSql,
} from './schema.js';
export { postgresMigration005Sql } from './schema-005.js';
