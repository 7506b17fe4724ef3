import type { TableNames } from './schema.js';

/**
 * Migration 003: the claims-refresh mark (`manager.requestRefresh`) on the
 * session table. Idempotent; listed in schema.ts's migrations.
 */
export function refreshMarksSql({ schema, prefix, sessions }: TableNames): string {
  return `-- sessionkit PostgreSQL store, migration 003 (schema "${schema}", table prefix "${prefix}").
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

-- requestRefresh(): when a session's claims were last asked to be reloaded; NULL: none pending.
ALTER TABLE ${sessions} ADD COLUMN IF NOT EXISTS refresh_requested_at timestamptz;
`;
}
