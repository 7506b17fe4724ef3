import type { TableNames } from './schema.js';

/**
 * The DDL of migration 002 (federated sign-out, issue 16): the `origin` column
 * (where a session came from: see SessionStore.linkOrigin) and the two partial
 * indexes that make an identity provider's logout by (issuer, sid) or
 * (issuer, subject) one bounded index range over ACTIVE sessions, in the
 * (created_at, id) order endFederated walks. Listed in schema.ts's migrations.
 */
export function postgresFederatedSql({ schema, prefix, sessions }: TableNames): string {
  const ix = (name: string) => `"${prefix}${name}"`;
  return `-- sessionkit PostgreSQL store, migration 002 (schema "${schema}", table prefix "${prefix}"): federated sign-out.
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

-- { providerId, issuer, subject, sid, idToken } of the OpenID provider session; never part of the record.
ALTER TABLE ${sessions} ADD COLUMN IF NOT EXISTS origin jsonb;

-- endFederated() by (issuer, sid) and by (issuer, subject), over ACTIVE sessions only.
CREATE INDEX IF NOT EXISTS ${ix('sessions_origin_sid')}
  ON ${sessions} ((origin->>'issuer'), (origin->>'sid'), created_at, id)
  WHERE status = 'ACTIVE' AND origin->>'sid' IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${ix('sessions_origin_subject')}
  ON ${sessions} ((origin->>'issuer'), (origin->>'subject'), created_at, id)
  WHERE status = 'ACTIVE' AND origin IS NOT NULL;
`;
}
