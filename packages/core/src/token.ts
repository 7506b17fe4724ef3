import * as crypto from 'node:crypto';
import { createHash, createHmac, randomBytes } from 'node:crypto';

// A session id is `<shard><random>`: a 6-character shard derived from the user
// id, then 16 random bytes. The shard lets partitioned stores (Redis Cluster)
// find every record of a user on one node from the id alone.
const SHARD_LENGTH = 6;
const SESSION_ID_LENGTH = SHARD_LENGTH + 22;
// A token is `<sessionId><secret>`, the secret being 32 random bytes (256 bits).
// Carrying the id lets every store look a token up by primary key in one read;
// only the SHA-256 of the whole token is stored.
const SECRET_LENGTH = 43;
const TOKEN_LENGTH = SESSION_ID_LENGTH + SECRET_LENGTH;

const SESSION_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${SESSION_ID_LENGTH}}$`);
const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${TOKEN_LENGTH}}$`);

/**
 * The shard a user's session ids start with: 6 base64url characters of
 * HMAC-SHA256(secret, userId), so that an id (or a "this wasn't me" link) does
 * not let anyone holding a list of candidate user ids find its owner. Without
 * a secret: the legacy unkeyed SHA-256(userId), which does.
 */
export function userShard(userId: string, secret?: string | null): string {
  if (secret) {
    return createHmac('sha256', secret)
      .update(`sessionkit:shard:${userId}`)
      .digest('base64url')
      .slice(0, SHARD_LENGTH);
  }
  return legacyUserShard(userId);
}

/** The shard of sessions created without a secret (and before sessionkit had one). */
export function legacyUserShard(userId: string): string {
  return createHash('sha256')
    .update(`sessionkit:shard:${userId}`)
    .digest('base64url')
    .slice(0, SHARD_LENGTH);
}

/** The shard of a well-formed session id (its first 6 characters). */
export function sessionIdShard(sessionId: string): string {
  return sessionId.slice(0, SHARD_LENGTH);
}

/** Whether `value` has the shape of a sessionkit session id (28 base64url characters). */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

export function createSessionId(userId: string, secret?: string | null): string {
  return userShard(userId, secret) + randomBytes(16).toString('base64url');
}

export function createToken(sessionId: string): string {
  return sessionId + randomBytes(32).toString('base64url');
}

export function sessionIdOfToken(token: string): string {
  return token.slice(0, SESSION_ID_LENGTH);
}

// crypto.hash() (Node ≥ 20.12) is the one-shot digest without a Hash object:
// it is on the validate() hot path, so use it when the runtime has it.
const oneShotHash = (
  crypto as { hash?: (algorithm: string, data: string, encoding: string) => string }
).hash;

/** SHA-256 of a token, base64url. The only form in which a token reaches a store. */
export function hashToken(token: string): string {
  if (oneShotHash) return oneShotHash('sha256', token, 'base64url');
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Constant-time comparison of two hashes (the time depends only on the length,
 * which is public: every hash is 43 characters).
 */
export function hashesEqual(a: string | null, b: string): boolean {
  if (a === null || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
