// The end-reason "watch": how a signed-out device learns why without any cookie
// being written into the response that ends its session.
//
// Why not write the reason when the session is found dead? In an App Router
// Route Handler, a `cookies().set()` makes Next.js merge its cookie jar into the
// handler's response by re-parsing the response's own Set-Cookie headers
// (`appendMutableCookies` → `ResponseCookies` → `parseSetCookie`), and that parse
// drops `Max-Age=0` (a falsy value, removed by its `compact()`). next-auth (v4
// and v5) deletes the session cookie with exactly `Max-Age=0` and no `Expires`,
// so the deletion came out as `authjs.session-token=; Path=/; HttpOnly` and the
// browser kept an empty session cookie. A route handler cannot write a cookie
// without triggering that merge, and next-auth's response is not ours to touch.
//
// So the cookie is written when nothing is being deleted: at sign-in, the
// end-reason cookie receives a signed reference to the new session (its id,
// never its token). When that session has ended, the end-reason route (given the
// manager) reads the record and answers the public reason. It still only ever
// tells a browser about its own last session: the reference is HttpOnly and
// signed with a key derived from the app secret.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type HeadersLike,
  type PublicEndReason,
  publicEndReason,
  type Session,
  type SessionManager,
} from '@sessionkit/core';
import { appIsSecure } from './device-cookie.js';
import {
  END_REASON_COOKIE,
  type EndReasonCookie,
  endReasonCookieValue,
  endReasonSecret,
  readSessionEndReason,
  SECURE_END_REASON_COOKIE,
} from './end-reason-cookie.js';

/** A watch value starts with this: never a public code, which are `[a-z_]+`. */
const WATCH_PREFIX = 'w~';
/** After the session's absolute end, how long "your session expired" can still be told. */
const AFTER_END_S = 10 * 60;
/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis). */
const MAX_COOKIE_AGE_S = 400 * 24 * 60 * 60;

function sign(secret: string, payload: string): string {
  // A key of its own: a watch MAC can never pass for a reason MAC, or anything else.
  const key = createHmac('sha256', secret).update('sessionkit end-reason watch v1').digest();
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/**
 * The end-reason cookie that watches a new session: set at sign-in, it lets the
 * end-reason route tell this browser why that session ended, later.
 */
export function createEndReasonWatchCookie(
  session: Pick<Session, 'id' | 'expiresAt'>,
  secret: string,
  options: { now?: number; secure?: boolean } = {},
): EndReasonCookie {
  const now = options.now ?? Date.now();
  const expires = session.expiresAt.getTime() + AFTER_END_S * 1000;
  const payload = `${WATCH_PREFIX}${Buffer.from(session.id).toString('base64url')}.${expires}`;
  const maxAge = Math.min(MAX_COOKIE_AGE_S, Math.max(0, Math.ceil((expires - now) / 1000)));
  const secure = options.secure ?? appIsSecure();
  return {
    name: secure ? SECURE_END_REASON_COOKIE : END_REASON_COOKIE,
    value: `${payload}.${sign(secret, payload)}`,
    options: { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge },
  };
}

/** The session id a watch value refers to, or null (not a watch, forged, or lapsed). */
export function readEndReasonWatch(
  value: string | null,
  secret: string,
  now = Date.now(),
): string | null {
  if (value === null || !value.startsWith(WATCH_PREFIX)) return null;
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  const [id, expires, mac] = parts as [string, string, string];
  const expected = Buffer.from(sign(secret, `${id}.${expires}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!/^\d{1,16}$/.test(expires) || Number(expires) <= now) return null;
  const sessionId = Buffer.from(id.slice(WATCH_PREFIX.length), 'base64url').toString();
  return sessionId === '' ? null : sessionId;
}

/** Why a session record ended, as the public reason; null while it is live. */
function endedReason(session: Session | null, now: number): PublicEndReason | null {
  if (session === null) return null;
  if (session.status === 'ACTIVE') {
    return session.expiresAt.getTime() <= now ? publicEndReason('expired') : null;
  }
  // The browser signed itself out: there is nothing to explain to it.
  if (session.endReason === 'logged_out') return null;
  return publicEndReason(session.endReason ?? session.status.toLowerCase());
}

/**
 * Why this browser's last session ended, `{ code, message }` or null: from the
 * end-reason cookie, either a reason written when the session was found ended
 * (a custom `setEndReason`) or the watch written at sign-in, looked up with the
 * manager. A store that cannot answer means null: the notice is best effort and
 * never blocks the sign-in page. For a server-rendered sign-in page:
 * `await resolveSessionEndReason(await headers(), { manager })`.
 */
export async function resolveSessionEndReason(
  headers: HeadersLike | null | undefined,
  options: {
    manager?: Pick<SessionManager, 'get'> | undefined;
    secret?: string | readonly string[] | undefined;
    now?: number;
  } = {},
): Promise<PublicEndReason | null> {
  const now = options.now ?? Date.now();
  const written = readSessionEndReason(headers, { secret: options.secret, now });
  if (written !== null || !options.manager) return written;
  const secret = endReasonSecret(options.secret);
  if (secret === null) return null;
  const sessionId = readEndReasonWatch(endReasonCookieValue(headers), secret, now);
  if (sessionId === null) return null;
  try {
    return endedReason(await options.manager.get(sessionId), now);
  } catch {
    return null;
  }
}
