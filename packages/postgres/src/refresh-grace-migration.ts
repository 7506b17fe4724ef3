import type { TableNames } from './schema.js';

/**
 * Migration 005 (issue 17: refresh reuse grace, challenged sign-ins). Listed in schema.ts's migrations. Idempotent, and only adds nullable or
 * defaulted columns, so it is safe on a live table.
 */
export function refreshGraceChallengeSql({ schema, prefix, sessions }: TableNames): string {
  return `-- sessionkit PostgreSQL store, migration 005 (schema "${schema}", table prefix "${prefix}").
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

-- When the refresh pair was last rotated: the start of its reuse grace window.
ALTER TABLE ${sessions} ADD COLUMN IF NOT EXISTS refresh_rotated_at timestamptz;
-- A sign-in challenged by suspiciousLogin.policy 'challenge' (pending while verification is null).
ALTER TABLE ${sessions} ADD COLUMN IF NOT EXISTS verification_required boolean NOT NULL DEFAULT false;
-- The sign-in came from a trusted device (the trust carries to its rotated device id).
ALTER TABLE ${sessions} ADD COLUMN IF NOT EXISTS trusted_device boolean NOT NULL DEFAULT false;
`;
}
