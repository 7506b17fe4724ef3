import { type PostgresTableOptions, tableNames } from './schema.js';

/** The held sign-ins table (limitPolicy 'ask'), quoted and schema-qualified. */
export function pendingTable(options: PostgresTableOptions = {}): string {
  const { schema, prefix } = tableNames(options);
  return `"${schema}"."${prefix}pending_sign_ins"`;
}

/**
 * The DDL of the held sign-ins table: migration 004 in schema.ts's list. Idempotent. Rows live minutes; the store
 * deletes expired ones in cleanup() and never reads them past `expires_at`.
 */
export function pendingSignInSchemaSql(options: PostgresTableOptions = {}): string {
  const { schema, prefix } = tableNames(options);
  const table = pendingTable(options);
  return `-- sessionkit PostgreSQL store, migration 004 (schema "${schema}", table prefix "${prefix}"): held sign-ins.
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

CREATE TABLE IF NOT EXISTS ${table} (
  -- The user shard and the SHA-256 (base64url) of the held sign-in's id; the id is never stored.
  key        text        COLLATE "C" PRIMARY KEY,
  user_id    text        COLLATE "C" NOT NULL,
  expires_at timestamptz NOT NULL,
  payload    text        NOT NULL CHECK (octet_length(payload) <= 65536)
);

-- cleanup(): held sign-ins that expired.
CREATE INDEX IF NOT EXISTS "${prefix}pending_sign_ins_expiry" ON ${table} (expires_at);
`;
}
