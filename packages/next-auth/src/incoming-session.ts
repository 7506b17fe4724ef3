// The sessionkit claim in the session cookie a request arrives with: at
// sign-in, the session the new one replaces. next-auth does not decode the
// existing cookie on every sign-in path (Credentials never does), so it is read
// here from the request's Cookie header.
import { type HeadersLike, readHeader } from '@sessionkit/core';
import { type JwtDecode, readClaim, type SessionClaim } from './tracked-jwt.js';

// v5 (Auth.js) and v4 defaults; v5 derives its key with the cookie name as salt,
// v4 with no salt.
const V5_NAMES = ['__Secure-authjs.session-token', 'authjs.session-token'];
const V4_NAMES = ['__Secure-next-auth.session-token', 'next-auth.session-token'];

export interface IncomingSessionContext {
  /** `cookies.sessionToken.name` from the NextAuth options, when the app set one. */
  cookieName?: string | undefined;
  secret: unknown;
  /**
   * next-auth's decode (not the tracked one: a dead session is still worth
   * naming), loaded only when a session cookie is there to decode.
   */
  decode: () => JwtDecode | Promise<JwtDecode>;
}

/** The claim of the session cookie in `headers`, or null (none, not ours, not decryptable). */
export async function readIncomingClaim(
  headers: HeadersLike | null | undefined,
  context: IncomingSessionContext,
): Promise<SessionClaim | null> {
  const header = readHeader(headers, 'cookie');
  if (!header || context.secret == null) return null;
  const cookies = parseCookies(header);
  const names = context.cookieName ? [context.cookieName] : [...V5_NAMES, ...V4_NAMES];
  for (const name of names) {
    const value = cookieValue(cookies, name);
    if (!value) continue;
    const decode = await context.decode();
    const salts = V4_NAMES.includes(name)
      ? [undefined]
      : V5_NAMES.includes(name)
        ? [name]
        : [name, undefined];
    for (const salt of salts) {
      try {
        const payload = await decode({
          token: value,
          secret: context.secret as string,
          ...(salt === undefined ? {} : { salt }),
        });
        const claim = readClaim(payload);
        if (claim) return claim;
      } catch {
        // not decryptable with this key: not a session we issued
      }
    }
  }
  return null;
}

function parseCookies(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {}
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The cookie's value, joining next-auth's chunks (`name.0`, `name.1`, …) of a large JWT. */
function cookieValue(cookies: Map<string, string>, name: string): string | null {
  const whole = cookies.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; cookies.has(`${name}.${i}`); i += 1) chunks.push(cookies.get(`${name}.${i}`)!);
  return chunks.length > 0 ? chunks.join('') : null;
}
