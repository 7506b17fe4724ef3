import { createHash, randomBytes } from 'node:crypto';
import { type HeadersLike, readHeader } from './client-ip.js';
import type { DeviceInfo } from './session.js';

/** Name of the optional device-id cookie on plain http (see {@link createDeviceIdCookie}). */
export const DEVICE_ID_COOKIE = 'sessionkit.device-id';

/**
 * Its name on https. The `__Host-` prefix makes browsers refuse the cookie
 * unless it is Secure, host-only and `Path=/`: a sibling subdomain cannot toss
 * one in ("cookie tossing"), so it cannot be planted from `evil.example.com`.
 */
export const SECURE_DEVICE_ID_COOKIE = '__Host-sessionkit.device-id';

const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;
// Known-device ids are the first 22 base64url characters of a SHA-256 (see digest() below).
const KNOWN_DEVICE_ID_LENGTH = 22;
const KNOWN_DEVICE_ID_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${KNOWN_DEVICE_ID_LENGTH}}$`);
/** How {@link isKnownDeviceId}'s format reads in error messages. */
export const KNOWN_DEVICE_ID_FORMAT = `${KNOWN_DEVICE_ID_LENGTH} URL-safe characters`;

/**
 * Whether a value has the shape of a known-device id (`KnownDevice.id`, what
 * `listDevices()` returns and `forgetDevice()` takes). The one definition core
 * and the next-auth device routes check against.
 */
export function isKnownDeviceId(value: unknown): value is string {
  return typeof value === 'string' && KNOWN_DEVICE_ID_PATTERN.test(value);
}

/** Whether a value has the shape of a device id minted by {@link createDeviceId}. */
export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value);
}

/** A new random device id (16 bytes, base64url). */
export function createDeviceId(): string {
  return randomBytes(16).toString('base64url');
}

export interface DeviceIdCookieOptions {
  /**
   * Whether the app is served over https: the cookie is then `Secure` and named
   * `__Host-sessionkit.device-id`. Pass `new URL(request.url).protocol === 'https:'`.
   * @default process.env.NODE_ENV === 'production'
   */
  secure?: boolean;
}

/**
 * A long-lived, HttpOnly cookie that lets sessionkit recognise a browser across
 * browser updates and sign-outs. Optional: without it, a device is recognised by
 * browser family, OS, device type and client hints (a weak look-alike match:
 * see docs/insights.md).
 *
 * Set it after every successful sign-in with the `deviceId` that
 * `manager.create()` returns: the id rotates on each sign-in, so an id someone
 * learned or planted stops being recognised at the owner's next sign-in.
 *
 * @example
 * // after sign-in, in a route handler or server action
 * const { deviceId } = await manager.create({ userId, headers: request.headers });
 * const cookie = createDeviceIdCookie(deviceId, { secure: request.nextUrl.protocol === 'https:' });
 * cookies().set(cookie.name, cookie.value, cookie.options);
 */
export function createDeviceIdCookie(
  deviceId?: string | null,
  options: DeviceIdCookieOptions = {},
): {
  name: string;
  value: string;
  options: {
    httpOnly: true;
    secure: boolean;
    sameSite: 'lax';
    path: '/';
    maxAge: number;
  };
} {
  const secure = options.secure ?? process.env.NODE_ENV === 'production';
  return {
    name: secure ? SECURE_DEVICE_ID_COOKIE : DEVICE_ID_COOKIE,
    value: isDeviceId(deviceId) ? deviceId : createDeviceId(),
    options: {
      httpOnly: true,
      secure,
      sameSite: 'lax',
      path: '/',
      // 400 days: the longest lifetime browsers honour.
      maxAge: 400 * 24 * 60 * 60,
    },
  };
}

/**
 * The device id from a `Cookie` header, when it is well formed and unambiguous.
 * `__Host-sessionkit.device-id` wins over the plain name (kept readable for
 * browsers that got their cookie before the switch). A name the header carries
 * twice is ignored entirely: a second copy is what a cookie tossed from a
 * sibling subdomain looks like, and there is no telling which one is ours.
 */
export function readDeviceIdCookie(headers: HeadersLike | null | undefined): string | null {
  const cookie = readHeader(headers, 'cookie');
  if (!cookie) return null;
  const values: Record<string, string[]> = {
    [SECURE_DEVICE_ID_COOKIE]: [],
    [DEVICE_ID_COOKIE]: [],
  };
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === SECURE_DEVICE_ID_COOKIE || name === DEVICE_ID_COOKIE) {
      values[name]?.push(part.slice(eq + 1).trim());
    }
  }
  const secure = values[SECURE_DEVICE_ID_COOKIE] as string[];
  if (secure.length > 1) return null;
  if (secure.length === 1) return isDeviceId(secure[0]) ? (secure[0] as string) : null;
  const plain = values[DEVICE_ID_COOKIE] as string[];
  if (plain.length !== 1) return null;
  return isDeviceId(plain[0]) ? (plain[0] as string) : null;
}

// Low-entropy client hints every Chromium browser sends by default. They are
// hashed with the rest, never stored.
function clientHints(headers: HeadersLike | null | undefined): string {
  const platform = (readHeader(headers, 'sec-ch-ua-platform') ?? '').slice(0, 64);
  const mobile = (readHeader(headers, 'sec-ch-ua-mobile') ?? '').slice(0, 8);
  return `${platform.replaceAll('"', '').trim().toLowerCase()}|${mobile.trim()}`;
}

/**
 * A stable, privacy-preserving device fingerprint: SHA-256 over the user id and
 * either the device-id cookie plus browser family and OS, or browser family +
 * OS + device type + client hints. Keyed by user, so the same browser has
 * unrelated ids for two users; no version numbers, so browser updates keep the
 * id. With the cookie, browser and OS still count: a device id copied into
 * another browser or OS is another device.
 */
export function deviceFingerprint(
  userId: string,
  deviceInfo: DeviceInfo,
  headers?: HeadersLike | null,
  deviceId?: string | null,
): string {
  const traits = [(deviceInfo.os ?? '').toLowerCase(), (deviceInfo.browser ?? '').toLowerCase()];
  const basis = isDeviceId(deviceId)
    ? ['cookie2', deviceId, ...traits].join('|')
    : ['traits', deviceInfo.type, ...traits, clientHints(headers)].join('|');
  return digest(userId, basis);
}

/**
 * The fingerprint a device id had before browser and OS counted (sessionkit
 * ≤ 0.x): looked up once, at the device's next sign-in, so known devices stay
 * known across the upgrade.
 */
export function legacyCookieFingerprint(userId: string, deviceId: string): string {
  return digest(userId, `cookie|${deviceId}`);
}

function digest(userId: string, basis: string): string {
  return createHash('sha256')
    .update(`sessionkit:device:${userId}\n${basis}`)
    .digest('base64url')
    .slice(0, KNOWN_DEVICE_ID_LENGTH);
}
