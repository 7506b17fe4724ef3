import type { HeadersLike } from '@sessionkit/core';

/**
 * Returns the headers of the request that is signing in, or null when there is
 * none to read. Web `Headers`, anything with `get(name)`, or a Node.js header
 * record (`req.headers` in the Pages Router) all work.
 */
export type GetHeaders = () =>
  | HeadersLike
  | null
  | undefined
  | PromiseLike<HeadersLike | null | undefined>;

let warnedNoRequestScope = false;

/**
 * The default {@link GetHeaders}: `headers()` from `next/headers`, loaded lazily
 * so that nothing imports `next` until a sign-in happens. `headers()` is sync in
 * Next 14 and async from Next 15 on: awaiting covers both.
 *
 * Outside an App Router request scope (a Pages Router API route, a script)
 * `headers()` throws. The sign-in still goes through, tracked but without a user
 * agent or IP, and a warning says to pass `getHeaders`.
 */
export async function readNextHeaders(): Promise<HeadersLike | null> {
  try {
    // With the extension: `next` has no exports map, so Node's own ESM loader
    // (an app that does not bundle this package) needs the file name.
    const { headers } = await import('next/headers.js');
    return await headers();
  } catch (error) {
    if (!warnedNoRequestScope) {
      warnedNoRequestScope = true;
      console.warn(
        `[sessionkit] withSessionTracking could not read the request headers through next/headers (${
          error instanceof Error ? error.message.slice(0, 200) : 'unknown error'
        }); the session is recorded without user agent and IP. In the Pages Router or outside a Next.js request, pass getHeaders: () => req.headers.`,
      );
    }
    return null;
  }
}
