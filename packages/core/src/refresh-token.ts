import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isTokenShaped, sessionIdOfToken } from './token.js';

// A refresh token is `<sessionId><secret>.<generation>.<tag>`:
// - secret: 32 random bytes, so the token itself is unguessable (only its
//   SHA-256 reaches the store, as for session tokens);
// - generation: how many rotations preceded it (base 36), 0 at sign-in;
// - tag: HMAC-SHA256 under the server's refresh key over everything before it,
//   truncated to 128 bits.
// The tag makes "a genuine token of this session, of generation g" checkable
// without the store keeping one hash per generation: a token with a valid tag
// that is not the session's current refresh token can only be an older
// generation, i.e. reuse, however many rotations happened since. Nobody without
// the key can mint one, so holding a session id is not enough to revoke it.
const V2_PATTERN = /^([A-Za-z0-9_-]{71})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;
const TAG_LENGTH = 22;

export interface ParsedRefreshToken {
  sessionId: string;
  /** Null for a legacy (pre-generation) refresh token. */
  generation: number | null;
}

function tagOf(key: Buffer, body: string): string {
  return createHmac('sha256', key)
    .update(`sessionkit:refresh\n${body}`)
    .digest('base64url')
    .slice(0, TAG_LENGTH);
}

/**
 * A new refresh token of `generation` for `sessionId`, tagged with `key`. Its
 * secret is 32 random bytes, or `secret` (43 base64url characters) when given.
 */
export function createRefreshToken(
  key: Buffer,
  sessionId: string,
  generation: number,
  secret: string = randomBytes(32).toString('base64url'),
): string {
  const body = `${sessionId}${secret}.${generation.toString(36)}`;
  return `${body}.${tagOf(key, body)}`;
}

/** 256 bits of HMAC-SHA256 under `key`, base64url (43 characters, the size of a random token secret). */
function derive(key: Buffer, label: string, presented: string): string {
  return createHmac('sha256', key).update(`${label}\n${presented}`).digest('base64url');
}

/**
 * The pair a rotation of `presented` issues: a session token and a refresh token
 * of the next generation, both derived with HMAC-SHA256 under the server's
 * refresh key from the presented refresh token.
 *
 * Derived, not random, for the reuse grace window (issue 17): when two tabs
 * refresh with one token at once, the second must receive the pair the first
 * one got. Stores keep only SHA-256 hashes, so the pair cannot be read back;
 * instead the second caller recomputes it from the token it holds and the
 * server key, and checks it against the hashes stored. Anyone without the key
 * cannot compute a successor, and each presented token (256 random bits at
 * sign-in, or itself derived) yields a distinct pair, so the pair is as
 * unguessable as a random one. Without a configured secret the key is per
 * process: a second caller served by another instance derives a different pair,
 * which does not match the stored hashes, and gets no session (never a
 * revocation) — configure SESSIONKIT_SECRET for multi-instance grace.
 */
export function successorPair(
  key: Buffer,
  sessionId: string,
  presented: string,
  generation: number,
): { token: string; refreshToken: string } {
  return {
    token: sessionId + derive(key, 'sessionkit:successor-token', presented),
    refreshToken: createRefreshToken(
      key,
      sessionId,
      generation,
      derive(key, 'sessionkit:successor-refresh', presented),
    ),
  };
}

/** The shape of a refresh token (no verification): its session id and generation, or null. */
export function parseRefreshToken(token: unknown): ParsedRefreshToken | null {
  if (isTokenShaped(token)) return { sessionId: sessionIdOfToken(token), generation: null };
  if (typeof token !== 'string' || token.length > 120) return null;
  const match = V2_PATTERN.exec(token);
  if (!match) return null;
  const generation = Number.parseInt(match[2] as string, 36);
  if (!Number.isSafeInteger(generation)) return null;
  return { sessionId: sessionIdOfToken(match[1] as string), generation };
}

/** Whether a generation-carrying refresh token was issued under `key` (constant time). */
export function isGenuineRefreshToken(key: Buffer, token: string): boolean {
  const match = V2_PATTERN.exec(token);
  if (!match) return false;
  const body = token.slice(0, token.length - TAG_LENGTH - 1);
  const expected = Buffer.from(tagOf(key, body));
  const presented = Buffer.from(match[3] as string);
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
