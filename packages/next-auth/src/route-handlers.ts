import type { IncomingHttpHeaders } from 'node:http';
import {
  type HeadersLike,
  InvalidInputError,
  isSessionId,
  readHeader,
  type Session,
  type SessionManager,
  SessionStoreError,
} from '@sessionkit/core';

type Awaitable<T> = T | PromiseLike<T>;

/**
 * The part of a NextAuth session the handlers read: what the `session` callback
 * of {@link withSessionTracking} produces. `getServerSession(authOptions)` (v4)
 * and `auth()` (v5) return it.
 */
export interface TrackedSessionLike {
  sessionId?: string | null;
  user?: { id?: string | null } | null;
}

interface SharedOptions {
  /** The session manager from `createSessionManager({ store })`. */
  manager: SessionManager;
  /**
   * Origins besides the request's own that may send DELETE and PATCH, e.g.
   * `['https://app.example.com']` when a proxy rewrites the `Host` header.
   * @default []
   */
  allowedOrigins?: string[];
}

export interface SessionRouteHandlersOptions extends SharedOptions {
  /**
   * The verified NextAuth session of the caller, or null: `() => getServerSession(authOptions)`
   * (v4) or `() => auth()` (v5). The owner of every action is taken from it, never
   * from the request.
   */
  getSession: (request: Request) => Awaitable<TrackedSessionLike | null | undefined>;
}

/** The App Router handlers for `app/api/sessions/route.ts`. */
export interface SessionRouteHandlers {
  /** `GET /api/sessions` → 200 `{ sessions, currentSessionId }`: the caller's active sessions. */
  GET(request: Request): Promise<Response>;
  /** `DELETE /api/sessions?sessionId=<id>` → `{ revoked: 1 }`; `?revokeAll=true` → `{ revoked: n }` (all but the current one). */
  DELETE(request: Request): Promise<Response>;
  /** `PATCH /api/sessions` → 200 `{ ok: true, session }`: records activity on the current session. */
  PATCH(request: Request): Promise<Response>;
}

/** A Pages Router request: `NextApiRequest` fits. */
export interface PagesApiRequest {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

/** A Pages Router response: `NextApiResponse` (a Node.js `ServerResponse`) fits. */
export interface PagesApiResponse {
  statusCode: number;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  end(chunk?: string): unknown;
}

export interface PagesSessionHandlerOptions<
  Req extends PagesApiRequest = PagesApiRequest,
  Res extends PagesApiResponse = PagesApiResponse,
> extends SharedOptions {
  /**
   * The verified NextAuth session of the caller, or null:
   * `(req, res) => getServerSession(req, res, authOptions)` (v4) or `(req, res) => auth(req, res)` (v5).
   */
  getSession: (req: Req, res: Res) => Awaitable<TrackedSessionLike | null | undefined>;
}

interface SessionsRequest {
  method: string;
  url: URL;
  headers: HeadersLike;
}

interface SessionsResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ALLOWED_METHODS = 'GET, DELETE, PATCH';

/**
 * Route handlers for `app/api/sessions/route.ts`: list the caller's sessions,
 * revoke one or all others, refresh activity. Every response is JSON with
 * `Cache-Control: no-store`; errors are `{ error: { code, message } }`.
 *
 * PATCH needs no token: `getSession` runs the `jwt` callback of
 * {@link withSessionTracking}, whose validation records the activity (throttled
 * by the manager's `touchInterval`); the handler then confirms the session is
 * still active and returns it.
 *
 * @example
 * // app/api/sessions/route.ts (v5)
 * export const { GET, DELETE, PATCH } = createSessionRouteHandlers({ manager, getSession: () => auth() });
 */
export function createSessionRouteHandlers(
  options: SessionRouteHandlersOptions,
): SessionRouteHandlers {
  const { manager, getSession } = options ?? {};
  checkManager('createSessionRouteHandlers', manager);
  if (typeof getSession !== 'function') {
    throw new InvalidInputError(
      'createSessionRouteHandlers: options.getSession must be a function, e.g. () => auth() or () => getServerSession(authOptions).',
    );
  }
  const allowed = allowedOriginSet('createSessionRouteHandlers', options.allowedOrigins);

  const handler = (method: string) => async (request: Request) => {
    let result: SessionsResponse;
    try {
      result = await handleSessionsRequest(
        { method, url: new URL(request.url), headers: request.headers },
        () => getSession(request),
        manager,
        allowed,
      );
    } catch (error) {
      result = failure(error);
    }
    return toResponse(result);
  };

  return { GET: handler('GET'), DELETE: handler('DELETE'), PATCH: handler('PATCH') };
}

/**
 * The same API for the Pages Router: `pages/api/sessions.ts` default-exports it.
 * Methods other than GET, DELETE and PATCH get 405.
 *
 * @example
 * export default createPagesSessionHandler({ manager, getSession: (req, res) => getServerSession(req, res, authOptions) });
 */
export function createPagesSessionHandler<
  Req extends PagesApiRequest = PagesApiRequest,
  Res extends PagesApiResponse = PagesApiResponse,
>(options: PagesSessionHandlerOptions<Req, Res>): (req: Req, res: Res) => Promise<void> {
  const { manager, getSession } = options ?? {};
  checkManager('createPagesSessionHandler', manager);
  if (typeof getSession !== 'function') {
    throw new InvalidInputError(
      'createPagesSessionHandler: options.getSession must be a function, e.g. (req, res) => getServerSession(req, res, authOptions).',
    );
  }
  const allowed = allowedOriginSet('createPagesSessionHandler', options.allowedOrigins);

  return async (req, res) => {
    let result: SessionsResponse;
    try {
      const host = firstValue(req.headers.host) ?? 'localhost';
      let url: URL;
      try {
        url = new URL(req.url ?? '/', `http://${host}`);
      } catch {
        url = new URL(req.url ?? '/', 'http://localhost');
      }
      result = await handleSessionsRequest(
        { method: (req.method ?? 'GET').toUpperCase(), url, headers: req.headers },
        () => getSession(req, res),
        manager,
        allowed,
      );
    } catch (error) {
      result = failure(error);
    }
    res.statusCode = result.status;
    for (const [name, value] of Object.entries(responseHeaders(result))) res.setHeader(name, value);
    res.end(JSON.stringify(result.body));
  };
}

async function handleSessionsRequest(
  request: SessionsRequest,
  resolveSession: () => Awaitable<TrackedSessionLike | null | undefined>,
  manager: SessionManager,
  allowedOrigins: ReadonlySet<string>,
): Promise<SessionsResponse> {
  const { method } = request;
  if (method !== 'GET' && method !== 'DELETE' && method !== 'PATCH') {
    return {
      ...error(405, 'METHOD_NOT_ALLOWED', `Use ${ALLOWED_METHODS}.`),
      headers: { allow: ALLOWED_METHODS },
    };
  }
  // Checked before anything is read or written: a cross-site page must not be
  // able to make a signed-in browser change its sessions.
  if (method !== 'GET' && isCrossSite(request, allowedOrigins)) {
    return error(403, 'FORBIDDEN', 'Cross-site requests may not change sessions.');
  }

  // The owner comes from the verified session only, never from the request.
  const caller = await resolveSession();
  const currentSessionId = caller?.sessionId;
  const userId = caller?.user?.id;
  if (!isSessionId(currentSessionId) || typeof userId !== 'string' || userId === '') {
    return error(401, 'UNAUTHORIZED', 'Sign in to manage your sessions.');
  }
  // getSession may come from a path that does not validate (a cached or custom
  // session): check that the caller's own tracked session is still active.
  const current = await manager.get(currentSessionId);
  if (current?.status !== 'ACTIVE' || current.userId !== userId) {
    return error(401, 'SESSION_ENDED', 'This session has ended. Sign in again.');
  }

  if (method === 'GET') {
    const sessions = await manager.list(userId);
    return ok({ sessions, currentSessionId });
  }
  if (method === 'PATCH') {
    return ok({ ok: true, session: current satisfies Session });
  }

  const target = parseDeleteQuery(request.url.searchParams);
  if (target === null) {
    return error(
      400,
      'INVALID_INPUT',
      'Pass exactly one query parameter: sessionId=<a session id> or revokeAll=true.',
    );
  }
  if (target.kind === 'all') {
    const revoked = await manager.revokeAll(userId, { except: currentSessionId });
    return ok({ revoked });
  }
  const revoked = await manager.revoke(target.sessionId, { userId });
  if (!revoked) {
    // The same answer for "not yours", "unknown" and "already ended": ids of
    // other users' sessions cannot be probed.
    return error(404, 'NOT_FOUND', 'No active session with this id belongs to you.');
  }
  return ok({ revoked: 1 });
}

type DeleteTarget = { kind: 'one'; sessionId: string } | { kind: 'all' };

function parseDeleteQuery(params: URLSearchParams): DeleteTarget | null {
  const entries = [...params];
  if (entries.length !== 1) return null;
  const [key, value] = entries[0]!;
  if (key === 'sessionId' && isSessionId(value)) return { kind: 'one', sessionId: value };
  if (key === 'revokeAll' && value === 'true') return { kind: 'all' };
  return null;
}

function isCrossSite(request: SessionsRequest, allowedOrigins: ReadonlySet<string>): boolean {
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
  if (parsed.origin === request.url.origin || allowedOrigins.has(parsed.origin)) return false;
  // Like Next.js server actions: the host the browser addressed, as the proxy saw it.
  const hosts = [
    readHeader(request.headers, 'x-forwarded-host'),
    readHeader(request.headers, 'host'),
  ]
    .map((h) => h?.split(',')[0]?.trim().toLowerCase())
    .filter((h): h is string => !!h);
  return !hosts.includes(parsed.host);
}

function ok(body: unknown): SessionsResponse {
  return { status: 200, body };
}

function error(status: number, code: string, message: string): SessionsResponse {
  return { status, body: { error: { code, message } } };
}

function failure(cause: unknown): SessionsResponse {
  if (cause instanceof SessionStoreError) {
    return error(
      503,
      'STORE_UNAVAILABLE',
      'The session store is unavailable. Try again in a moment.',
    );
  }
  if (cause instanceof InvalidInputError) {
    return error(400, 'INVALID_INPUT', 'The request could not be processed.');
  }
  // Never echo internals: messages of unknown errors may quote anything.
  return error(500, 'INTERNAL_ERROR', 'Something went wrong while handling the sessions request.');
}

function responseHeaders(result: SessionsResponse): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...result.headers,
  };
}

function toResponse(result: SessionsResponse): Response {
  return new Response(JSON.stringify(result.body), {
    status: result.status,
    headers: responseHeaders(result),
  });
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function checkManager(fn: string, manager: unknown): asserts manager is SessionManager {
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

function allowedOriginSet(fn: string, origins: unknown): ReadonlySet<string> {
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
