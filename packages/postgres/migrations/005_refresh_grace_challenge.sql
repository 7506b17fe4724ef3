-- sessionkit PostgreSQL store, migration 005 (schema "public", table prefix "sessionkit_").
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

-- When the refresh pair was last rotated: the start of its reuse grace window.
ALTER TABLE "public"."sessionkit_sessions" ADD COLUMN IF NOT EXISTS refresh_rotated_at timestamptz;
-- A sign-in challenged by suspiciousLogin.policy 'challenge' (pending while verification is null).
ALTER TABLE "public"."sessionkit_sessions" ADD COLUMN IF NOT EXISTS verification_required boolean NOT NULL DEFAULT false;
-- The sign-in came from a trusted device (the trust carries to its rotated device id).
ALTER TABLE "public"."sessionkit_sessions" ADD COLUMN IF NOT EXISTS trusted_device boolean NOT NULL DEFAULT false;
