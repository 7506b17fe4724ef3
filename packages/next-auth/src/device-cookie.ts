import {
  type createDeviceIdCookie,
  DEVICE_ID_COOKIE,
  SECURE_DEVICE_ID_COOKIE,
} from '@sessionkit/core';

/** Sets the rotated device-id cookie; return or resolve when done. */
export type SetDeviceId = (
  cookie: ReturnType<typeof createDeviceIdCookie>,
) => void | PromiseLike<void>;

let warnedNoCookieScope = false;

/**
 * Whether the app runs on https, the way next-auth decides about Secure
 * cookies: `NEXTAUTH_URL` / `AUTH_URL` when set, else production.
 */
export function appIsSecure(): boolean {
  const url = process.env.NEXTAUTH_URL ?? process.env.AUTH_URL;
  if (url) return url.startsWith('https:');
  return process.env.NODE_ENV === 'production';
}

/**
 * The default {@link SetDeviceId}: `cookies().set()` from `next/headers`, which
 * works in the route handler NextAuth's sign-in runs in (App Router). Outside
 * one it warns once: pass `setDeviceId` (Pages Router: append a Set-Cookie
 * header to `res`).
 */
export async function setNextDeviceIdCookie(
  cookie: ReturnType<typeof createDeviceIdCookie>,
): Promise<void> {
  try {
    const { cookies } = await import('next/headers.js');
    const jar = await cookies();
    jar.set(cookie.name, cookie.value, cookie.options);
    // Moving to the __Host- name: drop this site's own plain cookie, so that
    // only the name a sibling subdomain cannot plant is left.
    if (cookie.name === SECURE_DEVICE_ID_COOKIE && jar.has?.(DEVICE_ID_COOKIE)) {
      jar.delete(DEVICE_ID_COOKIE);
    }
  } catch (error) {
    if (!warnedNoCookieScope) {
      warnedNoCookieScope = true;
      console.warn(
        `[sessionkit] withSessionTracking could not set the rotated device-id cookie through next/headers (${
          error instanceof Error ? error.message.slice(0, 200) : 'unknown error'
        }); the next sign-in from this browser counts as a new device. In the Pages Router pass setDeviceId.`,
      );
    }
  }
}
