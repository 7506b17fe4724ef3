// "Why was I signed out?": when a device's session turns out to have ended,
// its public reason code travels to that device in a short-lived, signed,
// HttpOnly cookie. It carries a code only (never an id, a time of another
// session or the stored reason), is readable only by the server (the
// end-reason route or the app's sign-in page), and is signed so that a sibling
// subdomain cannot plant a misleading notice.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type HeadersLike,
  isSessionEndReasonCode,
  type PublicEndReason,
  publicEndReason,
  readHeader,
  SESSION_END_MESSAGES,
} from '@sessionkit/core';
import { appIsSecure } from './device-cookie.js';

/** The end-reason cookie's name on plain http. */
export const END_REASON_COOKIE = 'sessionkit.end-reason';
/** Its name on https (`__Host-`: Secure, host-only, `Path=/`). */
export const SECURE_END_REASON_COOKIE = '__Host-sessionkit.end-reason';

/** How long the reason is kept for the signed-out device: long enough to reach its sign-in page. */
const END_REASON_MAX_AGE_S = 10 * 60;

export interface EndReasonCookie {
  name: string;
  value: string;
  options: {
    httpOnly: true;
    secure: boolean;
    sameSite: 'lax';
    path: '/';
    maxAge: number;
  };
}

/** Sets (or, with `maxAge: 0`, clears) the end-reason cookie; return or resolve when done. */
export type SetEndReason = (cookie: EndReasonCookie) => void | PromiseLike<void>;

type Secret = string | readonly string[] | undefined | null;

/** The app's NextAuth secret (the first, when rotating several), else the environment's. */
export function endReasonSecret(secret: unknown): string | null {
  const first = Array.isArray(secret) ? secret[0] : secret;
  if (typeof first === 'string' && first !== '') return first;
  return process.env.AUTH_SECRET || process.env.NEXTAUTH_SECRET || null;
}

function sign(secret: string, payload: string): string {
  // A key of its own, derived from the app secret, so this MAC can never be
  // confused with anything else signed with it.
  const key = createHmac('sha256', secret).update('sessionkit end-reason cookie v1').digest();
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/**
 * The end-reason cookie for a stored end reason: the public code (see
 * `publicEndReason`), its expiry and a MAC keyed with the app secret.
 */
export function createEndReasonCookie(
  storedReason: string,
  secret: string,
  options: { now?: number; secure?: boolean } = {},
): EndReasonCookie {
  const { code } = publicEndReason(storedReason);
  const expires = (options.now ?? Date.now()) + END_REASON_MAX_AGE_S * 1000;
  const payload = `${code}.${expires}`;
  return cookieOf(`${payload}.${sign(secret, payload)}`, END_REASON_MAX_AGE_S, options.secure);
}

/** The cookie that clears the end reason (after it was shown, or at the next sign-in). */
export function clearEndReasonCookie(options: { secure?: boolean } = {}): EndReasonCookie {
  return cookieOf('', 0, options.secure);
}

function cookieOf(value: string, maxAge: number, secure = appIsSecure()): EndReasonCookie {
  return {
    name: secure ? SECURE_END_REASON_COOKIE : END_REASON_COOKIE,
    value,
    options: { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge },
  };
}

/** The end-reason cookie's value in a `Cookie` header, or null. */
export function endReasonCookieValue(headers: HeadersLike | null | undefined): string | null {
  const header = readHeader(headers, 'cookie');
  if (!header) return null;
  let plain: string | null = null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // The __Host- cookie wins: a plain one may have been planted.
    if (name === SECURE_END_REASON_COOKIE && value !== '') return value;
    if (name === END_REASON_COOKIE && value !== '') plain = value;
  }
  return plain;
}

/**
 * Why this browser's last session ended, from its signed end-reason cookie:
 * `{ code, message }`, or null when there is none, it expired, or its
 * signature does not check out. For a sign-in page (App Router:
 * `readSessionEndReason(await headers())`; Pages Router: `readSessionEndReason(req.headers)`).
 *
 * @param options.secret the NextAuth secret. @default AUTH_SECRET / NEXTAUTH_SECRET
 */
export function readSessionEndReason(
  headers: HeadersLike | null | undefined,
  options: { secret?: Secret; now?: number } = {},
): PublicEndReason | null {
  const value = endReasonCookieValue(headers);
  const secret = endReasonSecret(options.secret);
  if (value === null || secret === null) return null;
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  const [code, expires, mac] = parts as [string, string, string];
  const expected = Buffer.from(sign(secret, `${code}.${expires}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!/^\d{1,16}$/.test(expires) || Number(expires) <= (options.now ?? Date.now())) return null;
  if (!isSessionEndReasonCode(code)) return null;
  return { code, message: SESSION_END_MESSAGES[code] };
}

let warnedNoCookieScope = false;

/**
 * The default {@link SetEndReason}: `cookies().set()` from `next/headers`,
 * which works in route handlers and server actions, where NextAuth's sign-in
 * runs; `withSessionTracking` calls it at sign-in only (see end-reason-watch.ts
 * for why). A Server Component cannot set cookies: there it does nothing.
 * Pages Router: pass `setEndReason`.
 */
export async function setNextEndReasonCookie(cookie: EndReasonCookie): Promise<void> {
  try {
    const { cookies } = await import('next/headers.js');
    const jar = await cookies();
    jar.set(cookie.name, cookie.value, cookie.options);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    // Server Components refuse cookie writes by design: nothing to report.
    if (/Server Action or Route Handler/i.test(message) || warnedNoCookieScope) return;
    warnedNoCookieScope = true;
    console.warn(
      `[sessionkit] withSessionTracking could not set the end-reason cookie through next/headers (${message.slice(0, 200)}); the signed-out device is not told why. In the Pages Router pass setEndReason.`,
    );
  }
}

/** A `Set-Cookie` header value for the cookie (Pages Router: `res.appendHeader('Set-Cookie', …)`). */
export function serializeEndReasonCookie(cookie: EndReasonCookie): string {
  const { options } = cookie;
  return [
    `${cookie.name}=${cookie.value}`,
    'Path=/',
    `Max-Age=${options.maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
