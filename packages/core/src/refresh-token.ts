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

/** A new refresh token of `generation` for `sessionId`, tagged with `key`. */
export function createRefreshToken(key: Buffer, sessionId: string, generation: number): string {
  const body = `${sessionId}${randomBytes(32).toString('base64url')}.${generation.toString(36)}`;
  return `${body}.${tagOf(key, body)}`;
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
