// `@sessionkit/next-auth/edge`: the middleware half of next-auth v5's split
// config, for middleware that must stay on the Edge runtime. It imports nothing
// from @sessionkit/core (no node:crypto, no store).
import type { InstalledAuthOptions } from './auth-options.js';
import { readSessionClaim, SESSION_CLAIM, shapeSession } from './claim.js';

type Token = Record<string, unknown>;
type AnyFunction = (...args: never[]) => unknown;

/** The part of a next-auth v5 `NextAuthConfig` that {@link withEdgeSessionTracking} wraps. */
export interface EdgeTrackableAuthConfig {
  callbacks?: { jwt?: AnyFunction; session?: AnyFunction; [name: string]: unknown } | undefined;
}

interface JwtParams {
  token: Token;
  user?: unknown;
  trigger?: string;
  [name: string]: unknown;
}

interface SessionParams {
  session: Record<string, unknown>;
  token?: Token | null;
  [name: string]: unknown;
}

/**
 * For next-auth v5 middleware that runs on the Edge runtime (split config):
 * wraps the Edge-safe part of the auth config (`auth.config.ts`) so that
 * middleware reads the tracked session **without** checking the store, and
 * never signs anyone in or out:
 *
 * - a JWT that carries a sessionkit session passes, its claim kept when the
 *   app's `jwt` callback returns a new token (the refreshed cookie keeps it);
 * - a JWT without one is refused, as on Node.js;
 * - `req.auth` has `sessionId`, `expiresAt` and `user.id`, **unverified**: a
 *   revoked session still looks signed in here.
 *
 * Middleware is then only an optimistic gate (redirect to sign-in, no data).
 * Every page, route handler and server action that reads the session must do so
 * through the Node.js instance from `withSessionTracking` (`auth()` from
 * `auth.ts`), which checks the store and signs a revoked device out.
 *
 * @example
 * // middleware.ts (Edge)
 * import NextAuth from 'next-auth';
 * import { withEdgeSessionTracking } from '@sessionkit/next-auth/edge';
 * import authConfig from './auth.config';
 * export const { auth: middleware } = NextAuth(withEdgeSessionTracking(authConfig));
 */
export function withEdgeSessionTracking<T extends EdgeTrackableAuthConfig & InstalledAuthOptions>(
  authConfig: T,
): T;
export function withEdgeSessionTracking<T extends EdgeTrackableAuthConfig>(authConfig: T): T;
export function withEdgeSessionTracking<T extends EdgeTrackableAuthConfig>(authConfig: T): T {
  if (!authConfig || typeof authConfig !== 'object') {
    throw new TypeError('withEdgeSessionTracking: pass your Edge-safe NextAuth config object.');
  }
  const appCallbacks = authConfig.callbacks ?? {};
  const appJwt = appCallbacks.jwt as ((params: JwtParams) => unknown) | undefined;
  const appSession = appCallbacks.session as ((params: SessionParams) => unknown) | undefined;

  async function jwt(params: JwtParams): Promise<Token | null> {
    if (params.user != null && params.trigger !== 'update') {
      // A sign-in here would mint a JWT with no tracked session behind it.
      throw new Error(
        'sessionkit: a sign-in reached the Edge config (withEdgeSessionTracking). Sign-in must run through the Node.js config wrapped by withSessionTracking: mount `handlers` from auth.ts at your next-auth route and keep that route on the Node.js runtime.',
      );
    }
    const claim = readSessionClaim(params.token);
    // As on Node.js: a JWT without a sessionkit session is not honoured.
    if (!claim) return null;
    const result = appJwt ? ((await appJwt(params)) as Token | null | undefined) : params.token;
    if (!result || typeof result !== 'object') return result ?? null;
    return { ...result, [SESSION_CLAIM]: claim };
  }

  async function session(params: SessionParams): Promise<unknown> {
    const claim = readSessionClaim(params.token);
    const result = appSession ? await appSession(params) : params.session;
    if (!claim || !result || typeof result !== 'object') return result;
    const { session, leaked } = shapeSession(result, claim);
    if (leaked) {
      throw new Error(
        'withEdgeSessionTracking: your session callback copied the sessionkit token into the session. Do not spread the JWT (`token`) into the session; pick the fields you need.',
      );
    }
    return session;
  }

  return { ...authConfig, callbacks: { ...appCallbacks, jwt, session } } as T;
}
