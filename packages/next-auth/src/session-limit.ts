// limitPolicy 'ask' in next-auth. The sign-in that finds the user at the limit
// is held by core; next-auth itself must still mint the session cookie when the
// user has chosen, so the choice completes as a next-auth sign-in of its own:
// a Credentials provider (`sessionLimitProvider`) whose authorize() completes
// the held sign-in (ending the chosen session and creating the new one in one
// atomic store step) and whose jwt step reuses that session instead of
// creating another. next-auth's CSRF check, callbacks and events all run as for
// any sign-in. The held sign-in's id travels in the page URL and in an
// HttpOnly cookie set on the browser that signed in: both must match, so a
// leaked URL alone can neither list the sessions nor finish the sign-in.
import {
  type CreatedSession,
  type HeadersLike,
  InvalidInputError,
  readHeader,
  type SessionLimitError,
  type SessionManager,
} from '@sessionkit/core';
import { appIsSecure } from './device-cookie.js';
import {
  type ApiResponse,
  appRouterHandler,
  checkManager,
  error,
  ok,
  sessionKitErrorCode,
} from './route-helpers.js';

/** The provider id of {@link sessionLimitProvider}: `signIn(SESSION_LIMIT_PROVIDER_ID, {...})`. */
export const SESSION_LIMIT_PROVIDER_ID = 'sessionkit-limit';

/** HttpOnly cookie binding a held sign-in to the browser that signed in. */
export const PENDING_SIGN_IN_COOKIE = 'sessionkit.pending-sign-in';

/** A cookie for the integration to set (`cookies().set(name, value, options)`). */
export interface PendingSignInCookie {
  name: string;
  value: string;
  options: {
    httpOnly: true;
    sameSite: 'lax';
    secure: boolean;
    path: '/';
    maxAge: number;
  };
}

/** Sets the held sign-in's cookie; return or resolve when done. */
export type SetPendingSignInCookie = (cookie: PendingSignInCookie) => void | PromiseLike<void>;

// authorize() -> jwt: the session authorize() created, found again by the very
// user object next-auth passes on (v4 core/routes/callback.js and @auth/core
// lib/actions/callback both hand authorize()'s object to signIn and jwt).
const completed = new WeakMap<object, CreatedSession>();

/** The session a {@link sessionLimitProvider} sign-in created, once; undefined for any other sign-in. */
export function takeCompletedSignIn(
  user: object | null | undefined,
  account: unknown,
): CreatedSession | undefined {
  if (
    (account as { provider?: unknown } | null | undefined)?.provider !== SESSION_LIMIT_PROVIDER_ID
  ) {
    return undefined;
  }
  const created = user ? completed.get(user) : undefined;
  if (!created) {
    // A sign-in through the provider that authorize() did not complete: refuse.
    throw new InvalidInputError(
      'sessionkit: a sessionkit-limit sign-in reached the jwt callback without a completed held sign-in.',
    );
  }
  completed.delete(user as object);
  return created;
}

export function pendingSignInCookie(
  held: NonNullable<SessionLimitError['pendingSignIn']>,
  nowMs: number,
): PendingSignInCookie {
  return {
    name: PENDING_SIGN_IN_COOKIE,
    value: held.id,
    options: {
      httpOnly: true,
      sameSite: 'lax',
      secure: appIsSecure(),
      path: '/',
      maxAge: Math.max(1, Math.ceil((held.expiresAt.getTime() - nowMs) / 1000)),
    },
  };
}

/** The default {@link SetPendingSignInCookie}: `cookies().set()` from `next/headers`. */
export async function setNextPendingSignInCookie(cookie: PendingSignInCookie): Promise<void> {
  const { cookies } = await import('next/headers.js');
  const jar = await cookies();
  jar.set(cookie.name, cookie.value, cookie.options);
}

/** The value of one cookie in a request's headers, or null. */
export function readCookie(headers: HeadersLike | undefined | null, name: string): string | null {
  const header = readHeader(headers ?? undefined, 'cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Whether the request carries the held sign-in's cookie with exactly this id. */
function boundToBrowser(headers: HeadersLike | undefined | null, pendingSignInId: string): boolean {
  return readCookie(headers, PENDING_SIGN_IN_COOKIE) === pendingSignInId;
}

/** The part of the signing-in user kept with a held sign-in, to sign them in after the choice. */
export function heldProfile(user: unknown, userId: string): Record<string, unknown> {
  const u = (user ?? {}) as Record<string, unknown>;
  const profile: Record<string, unknown> = { id: userId };
  for (const key of ['name', 'email', 'image'] as const) {
    if (typeof u[key] === 'string') profile[key] = u[key];
  }
  return { user: profile };
}

export interface SessionLimitProviderOptions {
  /** The session manager from `createSessionManager({ store, limitPolicy: 'ask' })`. */
  manager: SessionManager;
}

/**
 * The next-auth provider that completes a sign-in held at the session limit.
 * Add it to `providers` (v4 and v5); `<SessionLimitPicker />` calls
 * `signIn('sessionkit-limit', { pendingSignInId, endSessionId })` with it.
 * It accepts only a held sign-in whose cookie this browser carries; the new
 * session is the one `completePendingSignIn()` created.
 *
 * @example
 * providers: [GitHub, sessionLimitProvider({ manager })]
 */
const REFUSALS = new Set(['PENDING_SIGN_IN_NOT_FOUND', 'PENDING_SIGN_IN_CHOICE', 'INVALID_INPUT']);

export function sessionLimitProvider(options: SessionLimitProviderOptions) {
  checkManager('sessionLimitProvider', options?.manager);
  const { manager } = options;
  return {
    id: SESSION_LIMIT_PROVIDER_ID,
    name: 'Continue sign-in',
    type: 'credentials' as const,
    credentials: {
      pendingSignInId: { type: 'hidden' },
      endSessionId: { type: 'hidden' },
    },
    // v4 passes (credentials, req) with `req.headers` a header record; v5
    // passes (credentials, Request).
    async authorize(
      credentials: Partial<Record<'pendingSignInId' | 'endSessionId', unknown>> | undefined,
      request: { headers?: unknown } | undefined,
    ) {
      const pendingSignInId = credentials?.pendingSignInId;
      const endSessionId = credentials?.endSessionId;
      if (typeof pendingSignInId !== 'string' || typeof endSessionId !== 'string') return null;
      const headers = (request?.headers ?? undefined) as HeadersLike | undefined;
      if (!boundToBrowser(headers, pendingSignInId)) return null;
      try {
        const created = await manager.completePendingSignIn(pendingSignInId, {
          endSessionId,
          ...(headers === undefined ? {} : { headers }),
        });
        const held = (created.data.user ?? {}) as Record<string, unknown>;
        const user = { ...held, id: created.session.userId };
        completed.set(user, created);
        return user;
      } catch (cause) {
        // Unknown, expired or completed; a choice that just ended: the picker asks again.
        // By code, not instanceof (the manager may come from the other build of core).
        const code = sessionKitErrorCode(cause);
        if (code !== null && REFUSALS.has(code)) return null;
        throw cause;
      }
    },
  };
}

export interface SessionLimitHandlerOptions {
  manager: SessionManager;
}

/**
 * `GET /api/sessions/limit?pending=<id>` (App Router): the held sign-in's
 * choices for the browser that signed in → 200 `{ sessions, limit, expiresAt }`;
 * 404 `PENDING_SIGN_IN_NOT_FOUND` when it is unknown, expired, completed or
 * this browser does not hold its cookie; 400 on a malformed id.
 *
 * @example
 * // app/api/sessions/limit/route.ts
 * export const { GET } = createSessionLimitHandler({ manager });
 */
export function createSessionLimitHandler(options: SessionLimitHandlerOptions): {
  GET(request: Request): Promise<Response>;
} {
  checkManager('createSessionLimitHandler', options?.manager);
  const { manager } = options;
  const notFound = () =>
    error(
      404,
      'PENDING_SIGN_IN_NOT_FOUND',
      'This sign-in is no longer waiting for a choice (it expired or was completed). Sign in again.',
    );
  return {
    GET: appRouterHandler('GET', 'session limit', async (request): Promise<ApiResponse> => {
      const id = request.url.searchParams.get('pending');
      if (!id || !/^[A-Za-z0-9_-]{71}$/.test(id)) {
        return error(400, 'INVALID_INPUT', 'Pass ?pending=<the id from the sign-in redirect>.');
      }
      if (!boundToBrowser(request.headers as HeadersLike, id)) return notFound();
      const pending = await manager.getPendingSignIn(id);
      if (!pending) return notFound();
      return ok({
        sessions: pending.sessions,
        limit: pending.limit,
        expiresAt: pending.expiresAt.toISOString(),
      });
    }),
  };
}
