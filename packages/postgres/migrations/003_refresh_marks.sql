-- sessionkit PostgreSQL store, migration 003 (schema "public", table prefix "sessionkit_").
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

-- requestRefresh(): when a session's claims were last asked to be reloaded; NULL: none pending.
ALTER TABLE "public"."sessionkit_sessions" ADD COLUMN IF NOT EXISTS refresh_requested_at timestamptz;
