-- sessionkit PostgreSQL store, migration 004 (schema "public", table prefix "sessionkit_"): held sign-ins.
-- Idempotent: safe to run again. Generated from src/schema.ts's migration list; do not edit by hand.

CREATE TABLE IF NOT EXISTS "public"."sessionkit_pending_sign_ins" (
  -- The user shard and the SHA-256 (base64url) of the held sign-in's id; the id is never stored.
  key        text        COLLATE "C" PRIMARY KEY,
  user_id    text        COLLATE "C" NOT NULL,
  expires_at timestamptz NOT NULL,
  payload    text        NOT NULL CHECK (octet_length(payload) <= 65536)
);

-- cleanup(): held sign-ins that expired.
CREATE INDEX IF NOT EXISTS "sessionkit_pending_sign_ins_expiry" ON "public"."sessionkit_pending_sign_ins" (expires_at);
