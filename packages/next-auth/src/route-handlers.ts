import type { IncomingHttpHeaders } from 'node:http';
import {
  InvalidInputError,
  isSessionId,
  type Session,
  type SessionManager,
} from '@sessionkit/core';
import { challengePending } from './challenge.js';
import {
  type ApiRequest,
  type ApiResponse,
  type Awaitable,
  allowedOriginSet,
  appRouterHandler,
  authorize,
  checkGetSession,
  checkManager,
  error,
  failure,
  firstValue,
  isCaller,
  ok,
  responseHeaders,
  type TrackedSessionLike,
} from './route-helpers.js';
import {
  type RecentVerificationRequirement,
  type ResolvedRequirement,
  resolveRequirement,
  verificationRequired,
} from './step-up.js';

export type { TrackedSessionLike } from './route-helpers.js';

interface SharedOptions {
  /** The session manager from `createSessionManager({ store })`. */
  manager: SessionManager;
  /**
   * Origins besides the request's own that may send DELETE and PATCH, e.g.
   * `['https://app.example.com']` when a proxy rewrites the `Host` header.
   * @default []
   */
  allowedOrigins?: string[];
  /**
   * Whether a proxy you run sets `X-Forwarded-Proto`: then the Origin check
   * takes the request's scheme from it. Leave it off when clients reach the app
   * directly (any client can send the header).
   * @default false
   */
  trustProxy?: boolean;
  /**
   * Step-up guard (OWASP ASVS 5.0 §7.5.2): actions that need the caller's
   * session to have passed a verification (`manager.markVerified()`, e.g. after
   * a 2FA challenge) within the given ms. Without one they answer 403
   * `VERIFICATION_REQUIRED`. Guarding `revokeAll` guards revoking other sessions
   * one by one too, unless you set `revoke: false`.
   * @default {} (no action needs one)
   * @example { revokeAll: 5 * 60_000 } // sign out all others, or any one other device
   */
  requireRecentVerification?: RecentVerificationRequirement;
  /** Clock for the verification check, for tests. @default Date.now */
  now?: () => number;
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
  /**
   * `GET /api/sessions[?cursor=<nextCursor>]` → 200 `{ sessions, currentSessionId, nextCursor }`:
   * one page (up to 100) of the caller's active sessions; pass `nextCursor` back for the
   * next page (null on the last). A malformed cursor is a 400.
   */
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
  /** The connection (a `TLSSocket`, whose `encrypted` is true, when the server itself speaks TLS). */
  socket?: unknown;
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

const ALLOWED_METHODS = 'GET, DELETE, PATCH';
// The manager decodes the cursor (and answers InvalidInputError, a 400, for
// anything it did not issue); this only keeps absurd input away from it.
const CURSOR_SHAPE = /^[A-Za-z0-9._-]{1,64}$/;

interface Resolved {
  manager: SessionManager;
  allowedOrigins: ReadonlySet<string>;
  trustProxy: boolean;
  verification: ResolvedRequirement;
  now: () => number;
}

function resolveShared(fn: string, options: SharedOptions): Resolved {
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new InvalidInputError(`${fn}: options.now must be a function returning ms.`);
  }
  return {
    manager: options.manager,
    allowedOrigins: allowedOriginSet(fn, options.allowedOrigins),
    trustProxy: options.trustProxy === true,
    verification: resolveRequirement(fn, options.requireRecentVerification),
    now,
  };
}

/**
 * Route handlers for `app/api/sessions/route.ts`: list the caller's sessions,
 * revoke one or all others, refresh activity. Every response is JSON with
 * `Cache-Control: no-store`; errors are `{ error: { code, message } }`.
 *
 * PATCH needs no token: `getSession` runs the `jwt` callback of
 * `withSessionTracking`, whose validation records the activity (throttled
 * by the manager's `touchInterval`); the handler then confirms the session is
 * still active and returns it.
 *
 * @example
 * // app/api/sessions/route.ts (v5)
 * export const { GET, DELETE, PATCH } = createSessionRouteHandlers({ manager, getSession: () => auth() });
 * // sign out other devices (all at once or one by one) only within 5 minutes of a 2FA check
 * createSessionRouteHandlers({ manager, getSession, requireRecentVerification: { revokeAll: 5 * 60_000 } });
 */
export function createSessionRouteHandlers(
  options: SessionRouteHandlersOptions,
): SessionRouteHandlers {
  const fn = 'createSessionRouteHandlers';
  const { manager, getSession } = options ?? {};
  checkManager(fn, manager);
  checkGetSession(fn, getSession, '() => auth() or () => getServerSession(authOptions)');
  const resolved = resolveShared(fn, options);

  const handler = (method: string) =>
    appRouterHandler(method, 'sessions', (request, original) =>
      handleSessionsRequest(request, () => getSession(original), resolved),
    );

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
  const fn = 'createPagesSessionHandler';
  const { manager, getSession } = options ?? {};
  checkManager(fn, manager);
  checkGetSession(fn, getSession, '(req, res) => getServerSession(req, res, authOptions)');
  const resolved = resolveShared(fn, options);

  return async (req, res) => {
    let result: ApiResponse;
    try {
      // A Pages Router request carries no scheme: the connection's, or under
      // trustProxy the X-Forwarded-Proto the proxy set (checked by the Origin check).
      const encrypted = (req.socket as { encrypted?: unknown } | null | undefined)?.encrypted;
      const scheme = encrypted === true ? 'https' : 'http';
      const url = parseRequestUrl(req.url, firstValue(req.headers.host), scheme);
      result =
        url === null
          ? error(400, 'INVALID_INPUT', 'The request URL could not be parsed.')
          : await handleSessionsRequest(
              { method: (req.method ?? 'GET').toUpperCase(), url, headers: req.headers },
              () => getSession(req, res),
              resolved,
            );
    } catch (cause) {
      result = failure(cause, 'sessions');
    }
    res.statusCode = result.status;
    for (const [name, value] of Object.entries(responseHeaders(result))) res.setHeader(name, value);
    res.end(JSON.stringify(result.body));
  };
}

/**
 * The URL of a Pages Router request, or null. Node accepts absolute request
 * targets it cannot parse (`GET http://[/api/sessions`): that is the caller's
 * mistake, a 400, never a 500.
 */
function parseRequestUrl(
  target: string | undefined,
  host: string | undefined,
  scheme: 'http' | 'https',
): URL | null {
  for (const base of [`${scheme}://${host ?? 'localhost'}`, `${scheme}://localhost`]) {
    try {
      return new URL(target ?? '/', base);
    } catch {
      // try the next base
    }
  }
  return null;
}

async function handleSessionsRequest(
  request: ApiRequest,
  resolveSession: () => Awaitable<TrackedSessionLike | null | undefined>,
  { manager, allowedOrigins, trustProxy, verification, now }: Resolved,
): Promise<ApiResponse> {
  const { method } = request;
  if (method !== 'GET' && method !== 'DELETE' && method !== 'PATCH') {
    return {
      ...error(405, 'METHOD_NOT_ALLOWED', `Use ${ALLOWED_METHODS}.`),
      headers: { allow: ALLOWED_METHODS },
    };
  }
  const caller = await authorize(
    request,
    resolveSession,
    manager,
    allowedOrigins,
    'sessions',
    trustProxy,
  );
  if (!isCaller(caller)) return caller;
  const { userId, currentSessionId, current } = caller;

  if (method === 'GET') {
    const cursors = request.url.searchParams.getAll('cursor');
    if (cursors.length > 1 || (cursors.length === 1 && !CURSOR_SHAPE.test(cursors[0] ?? ''))) {
      return error(
        400,
        'INVALID_INPUT',
        'cursor must be the nextCursor of a previous page, passed once and unchanged.',
      );
    }
    const cursor = cursors[0];
    const { sessions, nextCursor } = await manager.listPage(
      userId,
      cursor === undefined ? {} : { cursor },
    );
    return ok({ sessions, currentSessionId, nextCursor });
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
    const denied =
      challengePending(current) ?? verificationRequired(current, verification.revokeAll, now());
    if (denied) return denied;
    // Its own reason, so the other devices are told "you signed out everywhere".
    const revoked = await manager.revokeAll(userId, {
      except: currentSessionId,
      reason: 'revoked_all',
    });
    return ok({ revoked });
  }
  // Signing out this very device is a sign-out, never a sensitive action.
  if (target.sessionId !== currentSessionId) {
    const denied =
      challengePending(current) ?? verificationRequired(current, verification.revoke, now());
    if (denied) return denied;
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
