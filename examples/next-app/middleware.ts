import { type NextRequest, NextResponse } from 'next/server';

// Gives every browser an opaque device id in the optional `sessionkit.device-id`
// cookie. At sign-in sessionkit reads it from the request's Cookie header and
// keys the known-device registry on it (see docs/insights.md), so a browser
// stays the same known device across browser updates and sign-outs (no second
// "new device" email), while another browser with the same user agent counts
// as new. Without the cookie, sessionkit falls back to browser + OS + device
// type + client hints.
//
// Middleware runs on the Edge runtime, where @sessionkit/core (node:crypto)
// cannot be imported: this mints the same shape as its createDeviceIdCookie()
// (16 random bytes, base64url, 22 characters) with Web Crypto. The constants
// mirror DEVICE_ID_COOKIE and isDeviceId() from @sessionkit/core.
const DEVICE_ID_COOKIE = 'sessionkit.device-id';
const DEVICE_ID = /^[A-Za-z0-9_-]{22,64}$/;
// 400 days: the longest cookie lifetime browsers honour.
const MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

function newDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

export function middleware(request: NextRequest): NextResponse {
  const existing = request.cookies.get(DEVICE_ID_COOKIE)?.value;
  if (existing !== undefined && DEVICE_ID.test(existing)) return NextResponse.next();

  const deviceId = newDeviceId();
  // Also hand it to this very request, so a sign-in that arrives without the
  // cookie (the browser's first request) is recorded under the same id.
  request.cookies.set(DEVICE_ID_COOKIE, deviceId);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(DEVICE_ID_COOKIE, deviceId, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: MAX_AGE_SECONDS,
    // The e2e tests run a production build over http://127.0.0.1, where the
    // browser would drop a Secure cookie: follow NextAuth, which uses Secure
    // cookies when NEXTAUTH_URL is https.
    secure: process.env.NODE_ENV === 'production' && !process.env.NEXTAUTH_URL?.startsWith('http:'),
  });
  return response;
}

export const config = {
  // Pages and API routes (sign-in included); not Next's static files.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
