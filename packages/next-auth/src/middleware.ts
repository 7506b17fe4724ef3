// Middleware for next-auth v4: `getToken` and `withAuth` decode the session JWT
// without running callbacks, so a revoked session would pass them until its JWT
// expires. These helpers give them the tracked decode, which checks the
// session against the store. (v5's `auth` runs the callbacks and the tracked
// decode already: use it as middleware directly.)
import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidInputError, type SessionManager } from '@sessionkit/core';
import {
  createEndReasonCookie,
  endReasonSecret,
  serializeEndReasonCookie,
} from './end-reason-cookie.js';
import { createTrackedDecode, type JwtDecode } from './tracked-jwt.js';

type Token = Record<string, unknown>;

interface TrackedDecodeOptions {
  /** The session manager from `createSessionManager({ store })`. */
  manager: SessionManager;
  /**
   * The session cookie's name, when the app set `cookies.sessionToken.name`.
   * @default next-auth's: `next-auth.session-token` (`__Secure-` prefixed on https)
   */
  cookieName?: string;
  /** The app's own `jwt.decode`, when it set one in its NextAuth options. @default next-auth's */
  decode?: JwtDecode;
}

export interface GetTrackedTokenParams extends TrackedDecodeOptions {
  /** The incoming request: `NextRequest` in middleware or a route handler, `req` in the Pages Router. */
  req: Request | { headers: unknown; cookies?: unknown };
  /** @default process.env.NEXTAUTH_SECRET ?? process.env.AUTH_SECRET */
  secret?: string;
  /** Whether the cookie has the `__Secure-` prefix. @default NEXTAUTH_URL starts with https:// */
  secureCookie?: boolean;
}

/**
 * next-auth's `getToken`, plus a check against the store: returns the decoded
 * JWT only while its sessionkit session is live, else `null` (revoked, signed
 * out, expired, never tracked, or the store could not answer: fail closed).
 * Costs one store round trip, so middleware that calls it must run on the
 * Node.js runtime.
 *
 * @example
 * // proxy.ts (Next 16) or middleware.ts with `export const config = { runtime: 'nodejs' }` (Next ≥ 15.5)
 * const token = await getTrackedToken({ req, manager });
 * if (!token) return NextResponse.redirect(new URL('/login', req.url));
 */
export async function getTrackedToken(params: GetTrackedTokenParams): Promise<Token | null> {
  const { req, manager, decode, ...rest } = params ?? ({} as GetTrackedTokenParams);
  if (!req || typeof req !== 'object') {
    throw new InvalidInputError('getTrackedToken: pass the incoming request as { req }.');
  }
  const trackedDecode = trackedDecodeFor('getTrackedToken', manager, decode);
  const { getToken } = (await import('next-auth/jwt')) as unknown as {
    getToken(params: Record<string, unknown>): Promise<Token | null>;
  };
  return getToken({ ...withoutUndefined(rest), req, decode: trackedDecode });
}

/** The options of next-auth v4's `withAuth`, plus the session manager. */
export interface SessionCheckOptions extends TrackedDecodeOptions {
  /** Sign-in and error pages, as in your NextAuth options. @default next-auth's */
  pages?: { signIn?: string; error?: string };
  /** As in your NextAuth options, when you renamed the session cookie. */
  cookies?: { sessionToken?: { name?: string } };
  /** Your NextAuth `jwt` options, when you set a custom `decode`. */
  jwt?: { decode?: JwtDecode };
  /** @default process.env.NEXTAUTH_SECRET ?? process.env.AUTH_SECRET */
  secret?: string;
  callbacks?: {
    /**
     * Whether the request may go on. `token` is null for a signed-out user and for
     * a session that is no longer live. @default `!!token`
     */
    authorized?: (params: { req: Request; token: Token | null }) => boolean | Promise<boolean>;
  };
}

/** A request as `withAuth` hands it to your middleware: the verified token is on `req.nextauth`. */
export type RequestWithTrackedToken<Req extends Request = Request> = Req & {
  nextauth: { token: Token | null };
};

type Middleware<Req extends Request, Event, Result> = (
  req: RequestWithTrackedToken<Req>,
  event: Event,
) => Result;

/**
 * next-auth v4's `withAuth` (from `next-auth/middleware`) whose token check
 * also asks the store: a revoked session is redirected to the sign-in page on
 * its very next request. Same call shapes as `withAuth`. The middleware reaches
 * your store, so it must run on the Node.js runtime: Next 16 `proxy.ts`, or
 * `export const config = { runtime: 'nodejs' }` in `middleware.ts` (Next ≥ 15.5).
 *
 * @example
 * // proxy.ts (Next 16)
 * export const proxy = withSessionCheck({ manager, pages: { signIn: '/login' } });
 * export const config = { matcher: ['/dashboard/:path*', '/settings/:path*'] };
 *
 * // with your own middleware after the check
 * export default withSessionCheck((req) => { console.log(req.nextauth.token?.sub) }, { manager });
 */
export function withSessionCheck<Req extends Request = Request, Event = unknown, Result = unknown>(
  middleware: Middleware<Req, Event, Result>,
  options: SessionCheckOptions,
): (req: Req, event: Event) => Promise<Response | Result | undefined>;
export function withSessionCheck<Req extends Request = Request, Event = unknown>(
  options: SessionCheckOptions,
): (req: Req, event: Event) => Promise<Response | undefined>;
export function withSessionCheck(
  middlewareOrOptions: Middleware<Request, unknown, unknown> | SessionCheckOptions,
  maybeOptions?: SessionCheckOptions,
): (req: Request, event: unknown) => Promise<unknown> {
  const middleware = typeof middlewareOrOptions === 'function' ? middlewareOrOptions : undefined;
  const options = middleware ? maybeOptions : (middlewareOrOptions as SessionCheckOptions);
  if (!options || typeof options !== 'object') {
    throw new InvalidInputError(
      'withSessionCheck: pass options with your session manager, e.g. withSessionCheck({ manager }).',
    );
  }
  const { manager, decode: appDecode, cookieName, ...withAuthOptions } = options;
  // Why this request's session ended, when the tracked decode found it so.
  const ended = new AsyncLocalStorage<{ reason: string | null }>();
  const decode = trackedDecodeFor(
    'withSessionCheck',
    manager,
    appDecode ?? withAuthOptions.jwt?.decode,
    async (reason) => {
      const scope = ended.getStore();
      if (scope) scope.reason = reason;
    },
  );
  const resolved = {
    ...withAuthOptions,
    ...(cookieName
      ? { cookies: { ...withAuthOptions.cookies, sessionToken: { name: cookieName } } }
      : {}),
    jwt: { ...withAuthOptions.jwt, decode },
  };
  // next-auth/middleware imports next/server: load it on the first request.
  let built: Promise<(req: Request, event: unknown) => Promise<unknown>> | undefined;
  return async (req, event) => {
    built ??= import('next-auth/middleware').then((module) => {
      const { withAuth } = module as unknown as {
        withAuth(...args: unknown[]): (req: Request, event: unknown) => Promise<unknown>;
      };
      return middleware ? withAuth(middleware, resolved) : withAuth(resolved);
    });
    const run = built;
    const scope = { reason: null as string | null };
    const result = await ended.run(scope, async () => (await run)(req, event));
    return withEndReason(result, scope.reason, withAuthOptions.secret);
  };
}

/**
 * The response the middleware returns for a request whose session ended, with
 * the end-reason cookie added (its redirect to sign-in, usually): the response
 * is built right here and deletes no cookie, so unlike a Route Handler's
 * (see end-reason-watch.ts) nothing can be mangled by writing one.
 */
function withEndReason(result: unknown, reason: string | null, appSecret: unknown): unknown {
  if (reason === null || !(result instanceof Response)) return result;
  const secret = endReasonSecret(appSecret);
  if (secret === null) return result;
  try {
    result.headers.append(
      'set-cookie',
      serializeEndReasonCookie(createEndReasonCookie(reason, secret)),
    );
  } catch {
    // Immutable headers (a fetched Response): the device is not told why, nothing else changes.
  }
  return result;
}

function trackedDecodeFor(
  fn: string,
  manager: unknown,
  decode: unknown,
  onEnded?: (reason: string) => Promise<void>,
): JwtDecode {
  const m = manager as Partial<SessionManager> | undefined;
  if (!m || typeof m.validate !== 'function') {
    throw new InvalidInputError(
      `${fn}: options.manager must be a SessionManager from createSessionManager({ store }).`,
    );
  }
  if (decode !== undefined && typeof decode !== 'function') {
    throw new InvalidInputError(`${fn}: options.decode must be your NextAuth jwt.decode function.`);
  }
  return createTrackedDecode(m as SessionManager, decode as JwtDecode | undefined, onEnded);
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
