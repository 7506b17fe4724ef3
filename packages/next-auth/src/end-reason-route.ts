import { InvalidInputError, readHeader, type SessionManager } from '@sessionkit/core';
import {
  clearEndReasonCookie,
  SECURE_END_REASON_COOKIE,
  serializeEndReasonCookie,
} from './end-reason-cookie.js';
import { resolveSessionEndReason } from './end-reason-watch.js';
import {
  type ApiRequest,
  type ApiResponse,
  appRouterHandler,
  error,
  firstValue,
  isCrossSite,
  ok,
  responseHeaders,
} from './route-helpers.js';

export interface SessionEndReasonHandlerOptions {
  /**
   * The NextAuth secret the end-reason cookie was signed with.
   * @default AUTH_SECRET / NEXTAUTH_SECRET
   */
  secret?: string | readonly string[];
  /**
   * The session manager: with it, the route also answers for the reference to
   * the browser's last session that `withSessionTracking` leaves in the cookie
   * at sign-in (the default `setEndReason`), by reading that one record.
   * Without it, only a reason a custom `setEndReason` wrote is answered.
   */
  manager?: Pick<SessionManager, 'get'>;
}

/** `app/api/sessions/end-reason/route.ts`: `export const { GET, DELETE } = createSessionEndReasonHandler({ manager })`. */
export interface SessionEndReasonHandlers {
  GET(request: Request): Promise<Response>;
  DELETE(request: Request): Promise<Response>;
}

function checkOptions(fn: string, options: unknown): SessionEndReasonHandlerOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError(`${fn}: options must be an object such as { manager }.`);
  }
  const { manager } = options as { manager?: unknown };
  if (manager !== undefined && typeof (manager as { get?: unknown } | null)?.get !== 'function') {
    throw new InvalidInputError(
      `${fn}: options.manager must be your session manager (createSessionManager()).`,
    );
  }
  return options as SessionEndReasonHandlerOptions;
}

/**
 * GET: `{ endReason: { code, message } | null }`, why this browser's last
 * session ended, from its own signed end-reason cookie: the reason itself, or
 * (with `manager`) the reference to its last session, whose one record is read.
 * DELETE: clears it once shown; cross-site DELETEs get 403. Needs no session:
 * the device asking is by definition signed out.
 */
async function handleEndReason(
  request: ApiRequest,
  options: SessionEndReasonHandlerOptions,
): Promise<ApiResponse> {
  if (request.method === 'GET') {
    const { secret, manager } = options;
    return ok({ endReason: await resolveSessionEndReason(request.headers, { secret, manager }) });
  }
  if (request.method === 'DELETE') {
    if (isCrossSite(request, new Set())) {
      return error(403, 'CROSS_SITE', 'Cross-site requests may not clear the end reason.');
    }
    // Clear the cookie the browser has: the __Host- one may come over http from
    // a loopback origin, where browsers accept Secure cookies.
    const cookie = readHeader(request.headers, 'cookie') ?? '';
    const secure =
      request.url.protocol === 'https:' || cookie.includes(`${SECURE_END_REASON_COOKIE}=`);
    return {
      status: 200,
      body: { cleared: true },
      headers: { 'set-cookie': serializeEndReasonCookie(clearEndReasonCookie({ secure })) },
    };
  }
  return {
    ...error(405, 'METHOD_NOT_ALLOWED', 'Use GET or DELETE.'),
    headers: { allow: 'GET, DELETE' },
  };
}

/**
 * Route handlers (App Router) that let a signed-out browser learn why its
 * session ended; `useSessionEndReason()` in `@sessionkit/react` calls them.
 *
 * @example
 * // app/api/sessions/end-reason/route.ts
 * export const { GET, DELETE } = createSessionEndReasonHandler({ manager });
 */
export function createSessionEndReasonHandler(
  options?: SessionEndReasonHandlerOptions,
): SessionEndReasonHandlers {
  const resolved = checkOptions('createSessionEndReasonHandler', options);
  return {
    GET: appRouterHandler('GET', 'end-reason', async (request) =>
      handleEndReason(request, resolved),
    ),
    DELETE: appRouterHandler('DELETE', 'end-reason', async (request) =>
      handleEndReason(request, resolved),
    ),
  };
}

interface PagesRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: unknown;
}

interface PagesResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/**
 * The same route for the Pages Router (`pages/api/sessions/end-reason.ts`).
 *
 * @example
 * export default createPagesEndReasonHandler({ manager });
 */
export function createPagesEndReasonHandler(
  options?: SessionEndReasonHandlerOptions,
): (req: PagesRequest, res: PagesResponse) => Promise<void> {
  const resolved = checkOptions('createPagesEndReasonHandler', options);
  return async (req, res) => {
    const encrypted = (req.socket as { encrypted?: unknown } | null | undefined)?.encrypted;
    const host = firstValue(req.headers.host) ?? 'localhost';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `${encrypted === true ? 'https' : 'http'}://${host}`);
    } catch {
      url = new URL('http://localhost/');
    }
    const result = await handleEndReason(
      { method: (req.method ?? 'GET').toUpperCase(), url, headers: req.headers },
      resolved,
    );
    res.statusCode = result.status;
    for (const [name, value] of Object.entries(responseHeaders(result))) res.setHeader(name, value);
    res.end(JSON.stringify(result.body));
  };
}
