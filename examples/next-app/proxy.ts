import { createDeviceIdCookie, DEVICE_ID_COOKIE, isDeviceId } from '@sessionkit/core';
import { type NextRequest, NextResponse } from 'next/server';

// Gives every browser an opaque device id in the optional `sessionkit.device-id`
// cookie. At sign-in sessionkit reads it from the request's Cookie header and
// keys the known-device registry on it (see docs/insights.md), so a browser
// stays the same known device across browser updates and sign-outs (no second
// "new device" email), while another browser with the same user agent counts
// as new. Without the cookie, sessionkit falls back to browser + OS + device
// type + client hints.
//
// Next 16's proxy (formerly middleware) runs on the Node.js runtime, so it can
// use @sessionkit/core's helper directly.
export function proxy(request: NextRequest): NextResponse {
  if (isDeviceId(request.cookies.get(DEVICE_ID_COOKIE)?.value)) return NextResponse.next();

  const cookie = createDeviceIdCookie();
  // Also hand it to this very request, so a sign-in that arrives without the
  // cookie (the browser's first request) is recorded under the same id.
  request.cookies.set(cookie.name, cookie.value);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(cookie.name, cookie.value, {
    ...cookie.options,
    // The e2e tests run a production build over http://127.0.0.1, where the
    // browser would drop a Secure cookie: follow NextAuth, which uses Secure
    // cookies when NEXTAUTH_URL is https.
    secure: cookie.options.secure && !process.env.NEXTAUTH_URL?.startsWith('http:'),
  });
  return response;
}

export const config = {
  // Pages and API routes (sign-in included); not Next's static files.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
