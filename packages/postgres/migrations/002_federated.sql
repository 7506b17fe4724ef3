-- sessionkit PostgreSQL store, migration 002 (schema "public", table prefix "sessionkit_"): federated sign-out.
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

-- { providerId, issuer, subject, sid, idToken } of the OpenID provider session; never part of the record.
ALTER TABLE "public"."sessionkit_sessions" ADD COLUMN IF NOT EXISTS origin jsonb;

-- endFederated() by (issuer, sid) and by (issuer, subject), over ACTIVE sessions only.
CREATE INDEX IF NOT EXISTS "sessionkit_sessions_origin_sid"
  ON "public"."sessionkit_sessions" ((origin->>'issuer'), (origin->>'sid'), created_at, id)
  WHERE status = 'ACTIVE' AND origin->>'sid' IS NOT NULL;
CREATE INDEX IF NOT EXISTS "sessionkit_sessions_origin_subject"
  ON "public"."sessionkit_sessions" ((origin->>'issuer'), (origin->>'subject'), created_at, id)
  WHERE status = 'ACTIVE' AND origin IS NOT NULL;
