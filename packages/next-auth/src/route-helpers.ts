// Shared by the sessions and devices route handlers: request checks, the
// caller's identity, and JSON responses. Internal: not exported from the package.
import {
  type HeadersLike,
  InvalidInputError,
  isSessionId,
  readHeader,
  type Session,
  type SessionManager,
} from '@sessionkit/core';

export type Awaitable<T> = T | PromiseLike<T>;

/**
 * The part of a NextAuth session the handlers read: what the `session` callback
 * of `withSessionTracking` produces. `getServerSession(authOptions)` (v4)
 * and `auth()` (v5) return it.
 */
export interface TrackedSessionLike {
  sessionId?: string | null;
  // Any object: next-auth v4's `user` declares no `id` (so `{ id?: string }`
  // fails TypeScript's weak-type check) and the app may augment it. The id is
  // checked at run time.
  user?: object | null;
}

export interface ApiRequest {
  method: string;
  url: URL;
  headers: HeadersLike;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The signed-in caller, checked against the store. */
export interface Caller {
  userId: string;
  currentSessionId: string;
  /** The caller's own tracked session, ACTIVE. */
  current: Session;
}

/**
 * Who is calling, or the error response to send. Cross-site writes are refused
 * before anything is read; the owner comes from the verified session only,
 * never from the request.
 */
export async function authorize(
  request: ApiRequest,
  resolveSession: () => Awaitable<TrackedSessionLike | null | undefined>,
  manager: SessionManager,
  allowedOrigins: ReadonlySet<string>,
  noun: string,
  trustProxy = false,
): Promise<Caller | ApiResponse> {
  // Checked before anything is read or written: a cross-site page must not be
  // able to make a signed-in browser change its sessions or devices.
  if (request.method !== 'GET' && isCrossSite(request, allowedOrigins, trustProxy)) {
    return error(403, 'FORBIDDEN', `Cross-site requests may not change ${noun}.`);
  }
  const caller = await resolveSession();
  const currentSessionId = caller?.sessionId;
  const userId = (caller?.user as { id?: unknown } | null | undefined)?.id;
  if (!isSessionId(currentSessionId) || typeof userId !== 'string' || userId === '') {
    return error(401, 'UNAUTHORIZED', `Sign in to manage your ${noun}.`);
  }
  // getSession may come from a path that does not validate (a cached or custom
  // session): check that the caller's own tracked session is still active.
  const current = await manager.get(currentSessionId);
  if (current?.status !== 'ACTIVE' || current.userId !== userId) {
    return error(401, 'SESSION_ENDED', 'This session has ended. Sign in again.');
  }
  return { userId, currentSessionId, current };
}

export function isCaller(value: Caller | ApiResponse): value is Caller {
  return 'current' in value;
}

/**
 * Whether a write comes from another origin. An origin is scheme + host: an
 * `http://` page of the app's own host (reachable by anyone on the network) is
 * not the `https://` app. `X-Forwarded-Proto` names the scheme only under
 * `trustProxy`, since any client can send it.
 */
export function isCrossSite(
  request: ApiRequest,
  allowedOrigins: ReadonlySet<string>,
  trustProxy = false,
): boolean {
  const site = readHeader(request.headers, 'sec-fetch-site');
  if (site !== null && site.trim().toLowerCase() === 'cross-site') return true;
  const origin = readHeader(request.headers, 'origin');
  // No Origin: not a browser's cross-origin request (browsers send it on every
  // DELETE and PATCH), e.g. a server-side call or a test client.
  if (origin === null) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return true; // "null", repeated or garbled Origin headers
  }
  if (parsed.origin === 'null') return true;
  if (allowedOrigins.has(parsed.origin)) return false;
  const forwardedProto = trustProxy
    ? readHeader(request.headers, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
    : undefined;
  const scheme = forwardedProto ? `${forwardedProto}:` : request.url.protocol;
  if (parsed.protocol !== scheme) return true;
  if (parsed.host === request.url.host) return false;
  // Like Next.js server actions: the host the browser addressed, as the proxy saw it.
  const hosts = [
    readHeader(request.headers, 'x-forwarded-host'),
    readHeader(request.headers, 'host'),
  ]
    .map((h) => h?.split(',')[0]?.trim().toLowerCase())
    .filter((h): h is string => !!h);
  return !hosts.includes(parsed.host);
}

export function ok(body: unknown): ApiResponse {
  return { status: 200, body };
}

export function error(status: number, code: string, message: string): ApiResponse {
  return { status, body: { error: { code, message } } };
}

/**
 * The stable `code` of a sessionkit error, read off the object rather than by
 * `instanceof`: an app may hold core's other build (ESM vs CJS), whose error
 * classes are not the ones this package imports.
 */
export function sessionKitErrorCode(cause: unknown): string | null {
  const code = (cause as { code?: unknown } | null)?.code;
  return cause instanceof Error && typeof code === 'string' ? code : null;
}

export function failure(cause: unknown, noun: string): ApiResponse {
  const code = sessionKitErrorCode(cause);
  if (code === 'STORE_UNAVAILABLE') {
    return error(
      503,
      'STORE_UNAVAILABLE',
      'The session store is unavailable. Try again in a moment.',
    );
  }
  if (code === 'INVALID_INPUT') {
    return error(400, 'INVALID_INPUT', 'The request could not be processed.');
  }
  // Never echo internals: messages of unknown errors may quote anything.
  return error(500, 'INTERNAL_ERROR', `Something went wrong while handling the ${noun} request.`);
}

export function responseHeaders(result: ApiResponse): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...result.headers,
  };
}

export function toResponse(result: ApiResponse): Response {
  return new Response(JSON.stringify(result.body), {
    status: result.status,
    headers: responseHeaders(result),
  });
}

/** An App Router handler: runs `handle`, maps thrown errors to JSON, never throws. */
export function appRouterHandler(
  method: string,
  noun: string,
  handle: (request: ApiRequest, original: Request) => Promise<ApiResponse>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    let result: ApiResponse;
    try {
      result = await handle(
        { method, url: new URL(request.url), headers: request.headers },
        request,
      );
    } catch (cause) {
      result = failure(cause, noun);
    }
    return toResponse(result);
  };
}

export function checkManager(fn: string, manager: unknown): asserts manager is SessionManager {
  const m = manager as Partial<SessionManager> | undefined;
  if (
    !m ||
    typeof m.get !== 'function' ||
    typeof m.list !== 'function' ||
    typeof m.revoke !== 'function'
  ) {
    throw new InvalidInputError(
      `${fn}: options.manager must be a SessionManager from createSessionManager({ store }).`,
    );
  }
}

export function checkGetSession(fn: string, getSession: unknown, example: string): void {
  if (typeof getSession !== 'function') {
    throw new InvalidInputError(`${fn}: options.getSession must be a function, e.g. ${example}.`);
  }
}

export function allowedOriginSet(fn: string, origins: unknown): ReadonlySet<string> {
  if (origins === undefined) return new Set();
  if (!Array.isArray(origins)) {
    throw new InvalidInputError(`${fn}: options.allowedOrigins must be an array of origins.`);
  }
  return new Set(
    origins.map((o) => {
      try {
        const { origin } = new URL(String(o));
        if (origin !== 'null') return origin;
      } catch {}
      throw new InvalidInputError(
        `${fn}: options.allowedOrigins holds '${String(o).slice(0, 100)}', which is not an origin like 'https://app.example.com'.`,
      );
    }),
  );
}

export function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
