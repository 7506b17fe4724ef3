import { createDeviceIdCookie, readDeviceIdCookie } from '@sessionkit/core';
import { type NextRequest, NextResponse } from 'next/server';

// Gives every browser an opaque device id in the optional device-id cookie
// (`__Host-sessionkit.device-id` on https, `sessionkit.device-id` on plain
// http). At sign-in sessionkit reads it from the request's Cookie header and
// keys the known-device registry on it together with browser and OS (see
// docs/insights.md), so a browser stays the same known device across browser
// updates and sign-outs (no second "new device" email), while another browser
// counts as new. Each successful sign-in rotates the id: withSessionTracking
// sets the new one, so an id someone learned or planted stops working at the
// owner's next sign-in. Without the cookie, sessionkit falls back to a weak
// look-alike match (browser + OS + device type + client hints).
//
// Next 16's proxy (formerly middleware) runs on the Node.js runtime, so it can
// use @sessionkit/core's helper directly.
export function proxy(request: NextRequest): NextResponse {
  // readDeviceIdCookie ignores an id the browser sends twice (a cookie tossed
  // from a sibling subdomain): such a browser gets a fresh one.
  if (readDeviceIdCookie(request.headers) !== null) return NextResponse.next();

  // The e2e tests run a production build over http://127.0.0.1, where the
  // browser would drop a Secure cookie: follow NextAuth, which uses Secure
  // cookies when NEXTAUTH_URL is https.
  const secure = process.env.NEXTAUTH_URL
    ? process.env.NEXTAUTH_URL.startsWith('https:')
    : request.nextUrl.protocol === 'https:';
  const cookie = createDeviceIdCookie(null, { secure });
  // Also hand it to this very request, so a sign-in that arrives without the
  // cookie (the browser's first request) is recorded under the same id.
  request.cookies.set(cookie.name, cookie.value);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(cookie.name, cookie.value, cookie.options);
  return response;
}

export const config = {
  // Pages and API routes (sign-in included); not Next's static files.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
