import { createHash, randomBytes } from 'node:crypto';
import { type HeadersLike, readHeader } from './client-ip.js';
import type { DeviceInfo } from './session.js';

/** Name of the optional device-id cookie (see {@link createDeviceIdCookie}). */
export const DEVICE_ID_COOKIE = 'sessionkit.device-id';

const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

/** Whether a value has the shape of a device id minted by {@link createDeviceId}. */
export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value);
}

/** A new random device id (16 bytes, base64url). */
export function createDeviceId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * A long-lived, HttpOnly cookie that lets sessionkit recognise a browser across
 * browser updates and sign-outs. Optional: without it, a device is recognised by
 * browser family, OS, device type and client hints.
 *
 * @example
 * // after sign-in, in a route handler or server action
 * const cookie = createDeviceIdCookie(request.cookies.get(DEVICE_ID_COOKIE)?.value);
 * cookies().set(cookie.name, cookie.value, cookie.options);
 */
export function createDeviceIdCookie(existing?: string | null): {
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
  return {
    name: DEVICE_ID_COOKIE,
    value: isDeviceId(existing) ? existing : createDeviceId(),
    options: {
      httpOnly: true,
      secure: process.env.NODE_ENV === 'production',
      sameSite: 'lax',
      path: '/',
      // 400 days: the longest lifetime browsers honour.
      maxAge: 400 * 24 * 60 * 60,
    },
  };
}

/** The device-id cookie's value from a `Cookie` header, when it is well formed. */
export function readDeviceIdCookie(headers: HeadersLike | null | undefined): string | null {
  const cookie = readHeader(headers, 'cookie');
  if (!cookie) return null;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== DEVICE_ID_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return isDeviceId(value) ? value : null;
  }
  return null;
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
 * either the device-id cookie or browser family + OS + device type + client
 * hints. Keyed by user, so the same browser has unrelated ids for two users; no
 * version numbers, so browser updates keep the id.
 */
export function deviceFingerprint(
  userId: string,
  deviceInfo: DeviceInfo,
  headers?: HeadersLike | null,
  deviceId?: string | null,
): string {
  const basis = isDeviceId(deviceId)
    ? `cookie|${deviceId}`
    : [
        'traits',
        deviceInfo.type,
        (deviceInfo.os ?? '').toLowerCase(),
        (deviceInfo.browser ?? '').toLowerCase(),
        clientHints(headers),
      ].join('|');
  return createHash('sha256')
    .update(`sessionkit:device:${userId}\n${basis}`)
    .digest('base64url')
    .slice(0, 22);
}
