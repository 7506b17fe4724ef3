import {
  createDeviceIdCookie,
  EdgeRuntimeError,
  InvalidInputError,
  isEdgeRuntime,
  readHeader,
  type Session,
  SessionKitError,
  type SessionLimitError,
  type SessionManager,
} from '@sessionkit/core';
import { afterResponse } from './after-response.js';
import type { InstalledCallbackParameters } from './auth-options.js';
import { shapeSession, withChallenge } from './claim.js';
import { appIsSecure, type SetDeviceId, setNextDeviceIdCookie } from './device-cookie.js';
import {
  clearEndReasonCookie,
  createEndReasonCookie,
  endReasonCookieValue,
  endReasonSecret,
  type SetEndReason,
  setNextEndReasonCookie,
} from './end-reason-cookie.js';
import { createEndReasonWatchCookie } from './end-reason-watch.js';
import { originFromAccount, recordOriginOrRevoke } from './federated-origin.js';
import { readIncomingClaim } from './incoming-session.js';
import { type GetHeaders, readNextHeaders } from './request-context.js';
import {
  heldProfile,
  pendingSignInCookie,
  SESSION_LIMIT_PROVIDER_ID,
  type SetPendingSignInCookie,
  setNextPendingSignInCookie,
  takeCompletedSignIn,
} from './session-limit.js';
import {
  createTrackedDecode,
  isClaimLive,
  type JwtDecode,
  loadDefaultDecode,
  readClaim,
  SESSION_CLAIM,
  type SessionClaim,
  takeValidated,
} from './tracked-jwt.js';

// Any function, whatever its parameters: `never[]` accepts every signature, so
// both next-auth v4's and v5's callback types fit without importing either.
type AnyFunction = (...args: never[]) => unknown;

/**
 * The part of a next-auth v4 `AuthOptions` or v5 `NextAuthConfig` that
 * {@link withSessionTracking} reads and wraps.
 */
export interface TrackableAuthOptions {
  callbacks?: { jwt?: AnyFunction; session?: AnyFunction; [name: string]: unknown } | undefined;
  events?: { signOut?: AnyFunction; [name: string]: unknown } | undefined;
  // The literal union (not `string`) keeps an inline `strategy: 'jwt'` a literal
  // in the inferred options, which NextAuth() (v5) then accepts.
  session?: { strategy?: 'jwt' | 'database' | undefined; [name: string]: unknown } | undefined;
  adapter?: unknown;
  jwt?: { decode?: AnyFunction; encode?: AnyFunction; [name: string]: unknown } | undefined;
  cookies?: { sessionToken?: { name?: string } | undefined; [name: string]: unknown } | undefined;
  secret?: unknown;
}

export interface SessionTrackingOptions {
  /** The session manager from `createSessionManager({ store })`. */
  manager: SessionManager;
  /**
   * Returns the signing-in request's headers (user agent, client IP). Pass it in
   * the Pages Router (`() => req.headers`) or wherever `next/headers` is not
   * available.
   * @default reads `headers()` from `next/headers`
   */
  getHeaders?: GetHeaders;
  /**
   * Sets the device-id cookie after each sign-in. The id rotates on every
   * sign-in (see docs/security.md), so it must be stored again each time.
   * `false` leaves the cookie to you (`created.deviceId` is not exposed then).
   * @default `cookies().set()` from `next/headers`; `__Host-` name when the app is on https
   */
  setDeviceId?: SetDeviceId | false;
  /**
   * Writes the signed, HttpOnly end-reason cookie that tells a signed-out device
   * why its session ended. The default (`cookies().set()` from `next/headers`)
   * writes it at sign-in only, as a signed reference to the new session (never
   * its token) that `createSessionEndReasonHandler({ manager })` or
   * `resolveSessionEndReason()` turn into the public reason once that session
   * ended: in a Route Handler, a cookie written while next-auth deletes the
   * session cookie makes Next.js drop that deletion's `Max-Age=0`. A function
   * you pass writes to a response of its own: it gets the short-lived reason
   * itself when a request finds its session ended (read by `readSessionEndReason()`,
   * no store needed) and the clearing cookie at the next sign-in.
   * `false` turns the feature off.
   * Pages Router: `(cookie) => res.appendHeader('Set-Cookie', serializeEndReasonCookie(cookie))`.
   * @default `cookies().set()` from `next/headers`, at sign-in
   */
  setEndReason?: SetEndReason | false;
  /**
   * Reloads a session's claims (roles, profile) after `manager.requestRefresh()`
   * marked it, without signing the user out. Runs once for a marked session, on
   * its next read; the object it returns is merged into the JWT before your own
   * `jwt` callback runs, so your `session` callback sees the new claims on that
   * very request. The mark is cleared on the first request that presents the
   * refreshed JWT (proof the cookie was stored): one extra store call, only
   * then. If it throws, the old claims stay and it runs again on the next read.
   * @example
   * refreshClaims: async ({ userId }) => ({ role: (await db.user.find(userId)).role })
   */
  refreshClaims?: (params: {
    userId: string;
    /** The JWT as it arrived (without your jwt callback's changes for this request). */
    token: Record<string, unknown>;
    session: Session;
  }) =>
    | Record<string, unknown>
    | null
    | undefined
    | PromiseLike<Record<string, unknown> | null | undefined>;
  /**
   * Federated sign-out (docs/sso.md): at an OpenID Connect sign-in the session
   * records, server-side, the provider id and the ID token's `iss`, `sub` and
   * `sid`, so `createBackchannelLogoutHandler()` can end it. With
   * `keepIdToken` (the default) the ID token is kept beside the session too, as
   * the `id_token_hint` of RP-initiated logout (`federatedSignOutUrl()`); it is
   * never put in the JWT cookie. `false` records nothing.
   * @default { keepIdToken: true }
   */
  federated?: { keepIdToken?: boolean } | false;
  /**
   * With `limitPolicy: 'ask'`: the page of your app that lets the user choose
   * which session to end (it renders `<SessionLimitPicker />`). A sign-in that
   * finds the user at the limit is held and redirected there as
   * `<page>?pending=<id>`; add `sessionLimitProvider({ manager })` to your
   * providers so the choice can finish the sign-in.
   * @default undefined (a sign-in at the limit fails as create() decides)
   */
  sessionLimitPage?: string;
  /**
   * Sets the cookie that binds a held sign-in to the browser.
   * @default `cookies().set()` from `next/headers` (App Router)
   */
  setPendingSignInCookie?: SetPendingSignInCookie;
}

/**
 * Thrown from the `session` callback when the JWT carries no live session, so
 * that next-auth v4 clears the session cookie (v4 only clears it when a callback
 * throws). next-auth v5 never gets here: the `jwt` callback returns `null`.
 */
export class SessionEndedError extends SessionKitError {
  constructor() {
    super(
      'SESSION_ENDED',
      'sessionkit: this session was revoked, signed out or has expired (or the JWT predates session tracking); the user is signed out and the session cookie is cleared.',
    );
  }
}

type Token = Record<string, unknown>;

interface JwtParams {
  token: Token;
  user?: { id?: unknown } | null;
  account?: unknown;
  trigger?: string;
  [name: string]: unknown;
}

interface SessionParams {
  session: Record<string, unknown> & { user?: Record<string, unknown> | null };
  token?: Token | null;
  [name: string]: unknown;
}

type SignInParams = Record<string, unknown>;

interface SignOutMessage {
  token?: Token | null;
  [name: string]: unknown;
}

/**
 * Makes every NextAuth (v4 or v5) JWT session a tracked, revocable sessionkit
 * session. Returns a copy of `authOptions` whose `jwt` and `session` callbacks
 * and `signOut` event wrap the app's own, which keep running and whose results
 * are kept.
 *
 * - Sign-in creates a session (user agent and IP from the request) and keeps its
 *   id and token inside the encrypted JWT.
 * - Signing in over a live session ends that session (end reason `replaced`),
 *   so a copy of the old cookie stops working.
 * - Every later read of the session (`getServerSession`, `auth()`,
 *   `/api/auth/session`, `useSession`) validates it: a revoked, signed-out or
 *   expired session signs the user out on that very request and clears the cookie.
 *   A store that cannot be reached signs the user out too (fail closed).
 * - `jwt.decode` is wrapped (your own `decode` still decodes): a JWT whose
 *   session is not live decodes to `null` wherever next-auth decodes it — the
 *   OAuth/email callback that links accounts, sign-out, `getToken({ decode })` —
 *   so a revoked cookie can never link an account or start a session. Its
 *   validation is reused by the `jwt` callback: one store round trip per read.
 * - The session exposes `session.sessionId`, `session.expiresAt` (ISO) and
 *   `session.user.id`, never the token.
 * - Sign-out marks the session `LOGGED_OUT`.
 *
 * @example
 * // v4: app/api/auth/[...nextauth]/route.ts
 * export const authOptions = withSessionTracking({ providers, session: { strategy: 'jwt' } }, { manager });
 * const handler = NextAuth(authOptions);
 * export { handler as GET, handler as POST };
 *
 * // v5: auth.ts
 * export const { handlers, auth, signIn, signOut } = NextAuth(withSessionTracking(config, { manager }));
 */
// The constraint carries next-auth's own types (whichever major is installed),
// so that callbacks written inline get real parameter types, never `never`.
export function withSessionTracking<T extends TrackableAuthOptions & InstalledCallbackParameters>(
  authOptions: T,
  options: SessionTrackingOptions,
): T {
  // Middleware on Edge would sign every user out on the first check: refuse loudly.
  if (isEdgeRuntime()) throw new EdgeRuntimeError('withSessionTracking()');
  if (!authOptions || typeof authOptions !== 'object') {
    throw new InvalidInputError('withSessionTracking: pass your NextAuth options object first.');
  }
  const manager = options?.manager;
  if (!manager || typeof manager.validate !== 'function' || typeof manager.create !== 'function') {
    throw new InvalidInputError(
      'withSessionTracking: options.manager must be a SessionManager from createSessionManager({ store }).',
    );
  }
  if (options.getHeaders !== undefined && typeof options.getHeaders !== 'function') {
    throw new InvalidInputError(
      'withSessionTracking: options.getHeaders must be a function returning the request headers.',
    );
  }
  const strategy = authOptions.session?.strategy;
  if (strategy === 'database' || (strategy === undefined && authOptions.adapter != null)) {
    throw new InvalidInputError(
      "withSessionTracking: sessionkit tracks NextAuth's JWT sessions. Set session: { strategy: 'jwt' } (with an adapter NextAuth defaults to 'database').",
    );
  }

  const getHeaders = options.getHeaders ?? readNextHeaders;
  if (
    options.setDeviceId !== undefined &&
    options.setDeviceId !== false &&
    typeof options.setDeviceId !== 'function'
  ) {
    throw new InvalidInputError(
      'withSessionTracking: options.setDeviceId must be a function (cookie) => void, or false.',
    );
  }
  const setDeviceId = options.setDeviceId ?? setNextDeviceIdCookie;
  if (
    options.setEndReason !== undefined &&
    options.setEndReason !== false &&
    typeof options.setEndReason !== 'function'
  ) {
    throw new InvalidInputError(
      'withSessionTracking: options.setEndReason must be a function (cookie) => void, or false.',
    );
  }
  const setEndReason = options.setEndReason ?? setNextEndReasonCookie;
  // The default (next/headers) writes only the sign-in watch (end-reason-watch.ts):
  // a cookie written while next-auth deletes the session cookie in a Route
  // Handler makes Next.js drop that deletion's Max-Age=0. A custom setEndReason
  // writes to a response it owns, so it also gets the reason itself.
  const reportAtEnd = typeof options.setEndReason === 'function';
  if (options.refreshClaims !== undefined && typeof options.refreshClaims !== 'function') {
    throw new InvalidInputError(
      'withSessionTracking: options.refreshClaims must be an async function ({ userId, token, session }) => claims.',
    );
  }
  const refreshClaims = options.refreshClaims;
  const federated = options.federated ?? {};
  const keepIdToken = federated !== false && federated.keepIdToken !== false;
  const limitPage = options.sessionLimitPage;
  if (limitPage !== undefined && (typeof limitPage !== 'string' || !limitPage.startsWith('/'))) {
    throw new InvalidInputError(
      "withSessionTracking: options.sessionLimitPage must be a path of your app, e.g. '/auth/choose-session'.",
    );
  }
  const setPendingCookie = options.setPendingSignInCookie ?? setNextPendingSignInCookie;
  const appCallbacks = authOptions.callbacks ?? {};
  const appEvents = authOptions.events ?? {};
  // The app's callbacks, typed loosely: they are called with exactly what
  // next-auth passed, so their own types still hold.
  const appJwt = appCallbacks.jwt as ((params: JwtParams) => unknown) | undefined;
  const appSession = appCallbacks.session as ((params: SessionParams) => unknown) | undefined;
  const appSignOut = appEvents.signOut as ((message: SignOutMessage) => unknown) | undefined;
  const appSignIn = appCallbacks.signIn as ((params: SignInParams) => unknown) | undefined;
  const appJwtOptions = authOptions.jwt ?? {};
  const appDecode = appJwtOptions.decode as JwtDecode | undefined;
  // Tells a device whose own session ended why (a public code in a signed
  // cookie). Never changes the outcome: the session is dead either way.
  async function reportEnded(reason: string): Promise<void> {
    if (setEndReason === false || !reportAtEnd) return;
    const secret = endReasonSecret(tracked.secret);
    if (secret === null) return;
    try {
      await setEndReason(createEndReasonCookie(reason, secret));
    } catch (error) {
      console.warn(
        `[sessionkit] setEndReason failed; the signed-out device is not told why: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
      );
    }
  }
  async function watchForEnd(session: { id: string; expiresAt: Date }): Promise<void> {
    if (setEndReason === false) return;
    const secret = endReasonSecret(tracked.secret);
    if (secret === null) return;
    try {
      await setEndReason(createEndReasonWatchCookie(session, secret));
    } catch (error) {
      console.warn(
        `[sessionkit] setEndReason failed; the signed-out device is not told why: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
      );
    }
  }
  const decode = createTrackedDecode(manager, appDecode, reportEnded);

  // The session cookie this request arrived with, decoded with next-auth's own
  // decode (the tracked one would hide a dead session). Reads the options
  // next-auth actually used: v5 fills in `secret` from AUTH_SECRET on this object.
  async function incomingClaim(
    headers: Awaited<ReturnType<GetHeaders>>,
  ): Promise<SessionClaim | null> {
    return readIncomingClaim(headers, {
      cookieName: tracked.cookies?.sessionToken?.name,
      secret: tracked.secret ?? process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET,
      decode: () => appDecode ?? loadDefaultDecode(),
    });
  }

  // Runs before next-auth touches the adapter (v4 core/routes/callback.js,
  // @auth/core handleAuthorized before handleLoginOrRegister). next-auth treats a
  // decode that throws as "no session" and would go on to create or link: when
  // the store cannot say whether the incoming session is live, refuse instead.
  async function signIn(params: SignInParams): Promise<unknown> {
    const previous = await incomingClaim(await getHeaders());
    // SessionStoreError propagates: next-auth refuses the sign-in (fail closed).
    if (previous) await manager.validate(previous.token);
    const allowed = appSignIn ? await appSignIn(params) : true;
    if (allowed !== true || limitPage === undefined) return allowed;
    return holdAtLimit(params);
  }

  // limitPolicy 'ask': before next-auth signs in, a user at the limit is held
  // and sent to the app's picker instead (a string from signIn is a redirect
  // in v4 and v5). create() in the jwt callback still enforces the limit.
  async function holdAtLimit(params: SignInParams): Promise<unknown> {
    const account = params.account as { provider?: unknown } | null | undefined;
    if (account?.provider === SESSION_LIMIT_PROVIDER_ID) return true;
    const user = params.user as JwtParams['user'];
    const userId = userIdOf(user, {});
    try {
      await manager.checkSessionLimit({ userId, pendingData: heldProfile(user, userId) });
      return true;
    } catch (cause) {
      // By code, not instanceof: the app's manager may come from the other build
      // (ESM/CJS) of @sessionkit/core than this package imports.
      const held = (cause as Partial<SessionLimitError> | null)?.pendingSignIn;
      if ((cause as { code?: unknown } | null)?.code !== 'SESSION_LIMIT' || !held) throw cause;
      await setPendingCookie(pendingSignInCookie(held, Date.now()));
      const separator = limitPage?.includes('?') ? '&' : '?';
      const path = `${limitPage}${separator}pending=${encodeURIComponent(held.id)}`;
      // Absolute: next-auth v4's client signIn() parses the answered URL with `new URL(url)`.
      return absoluteUrl(path, await getHeaders());
    }
  }

  async function jwt(params: JwtParams): Promise<Token | null> {
    const isSignIn = params.user != null && params.trigger !== 'update';
    if (isSignIn) {
      const result = appJwt ? ((await appJwt(params)) as Token | null | undefined) : params.token;
      // The app refused the token (v5: null signs out): nothing to track.
      if (!result || typeof result !== 'object') return result ?? null;
      const userId = userIdOf(params.user, result);
      const headers = (await getHeaders()) ?? undefined;
      const previous = await incomingClaim(headers);
      // A choice at the limit (sessionLimitProvider) already created the session.
      const created =
        takeCompletedSignIn(params.user, params.account) ??
        (await manager.create({ userId, headers }));
      const origin = federated === false ? null : originFromAccount(params.account, keepIdToken);
      if (origin) await recordOriginOrRevoke(manager, created.session.id, userId, origin);
      if (setDeviceId !== false) {
        await setDeviceId(createDeviceIdCookie(created.deviceId, { secure: appIsSecure() }));
      }
      // Signed in again: the last session's end reason has served its purpose.
      // The default cookie now watches the new session, to say why it ends.
      if (setEndReason !== false && !reportAtEnd) {
        await watchForEnd(created.session);
      } else if (setEndReason !== false && endReasonCookieValue(headers) !== null) {
        await setEndReason(clearEndReasonCookie());
      }
      // Signing in over a live session overwrites its cookie: end it, so that a
      // copy of the old cookie stops working too. Only an ACTIVE session ends.
      if (previous && previous.id !== created.session.id) {
        await manager.revoke(previous.id, { userId: previous.userId, reason: 'replaced' });
      }
      const claim: SessionClaim = withChallenge(
        {
          id: created.session.id,
          token: created.token,
          userId,
          expiresAt: created.session.expiresAt.toISOString(),
        },
        created.session,
      );
      return { ...result, [SESSION_CLAIM]: claim };
    }

    const claim = readClaim(params.token);
    // A JWT without a claim cannot be revoked, so it is not honoured. Returning
    // null makes next-auth v5 clear the cookie; v4 clears it when the session
    // callback then throws.
    if (!claim) return null;
    // decode() validated this very payload a moment ago: no second round trip.
    // SessionStoreError propagates: both versions log it and clear the cookie (fail closed).
    let endReason: string | null = null;
    const session =
      takeValidated(params.token) ??
      (await manager.validate(claim.token, {
        waitUntil: await afterResponse(),
        onEnded: (ended) => {
          endReason = ended.reason;
        },
      }));
    if (!isClaimLive(session, claim)) {
      if (endReason !== null) await reportEnded(endReason);
      return null;
    }

    // verificationRequired follows the store on every read: markVerified() clears it on the next one.
    const fresh: SessionClaim = withChallenge(
      { ...claim, expiresAt: session.expiresAt.toISOString() },
      session,
    );
    let token: Token = { ...params.token, [SESSION_CLAIM]: fresh };
    if (refreshClaims && session.refreshRequestedAt) {
      token = await reloadClaims(params.token, token, fresh, session, session.refreshRequestedAt);
    }
    const result = appJwt
      ? ((await appJwt({ ...params, token })) as Token | null | undefined)
      : token;
    if (!result || typeof result !== 'object') return result ?? null;
    // The app may have returned a new object: keep its claims and ours.
    return { ...result, [SESSION_CLAIM]: fresh };
  }

  // A marked session: reload its claims once, or, when this JWT already carries
  // the reload for this very mark (so the refreshed cookie was stored), clear it.
  async function reloadClaims(
    incoming: Token,
    token: Token,
    fresh: SessionClaim,
    session: Session,
    requestedAt: Date,
  ): Promise<Token> {
    const mark = requestedAt.toISOString();
    if (fresh.claimsFor === mark) {
      // SessionStoreError propagates like any failed read (fail closed).
      await manager.clearRefreshRequest(session.id, requestedAt);
      return token;
    }
    let claims: Record<string, unknown> | null | undefined;
    try {
      claims = await refreshClaims?.({ userId: fresh.userId, token: incoming, session });
    } catch (error) {
      console.warn(
        `[sessionkit] refreshClaims failed; the old claims stay and it runs again on the next read: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
      );
      return token;
    }
    fresh.claimsFor = mark;
    if (!claims || typeof claims !== 'object') return token;
    // Our claim always wins: refreshClaims cannot replace the session reference.
    return { ...token, ...claims, [SESSION_CLAIM]: fresh };
  }

  async function session(params: SessionParams): Promise<unknown> {
    const claim = readClaim(params.token);
    if (!claim) throw new SessionEndedError();
    const result = appSession ? await appSession(params) : params.session;
    if (!result || typeof result !== 'object') return result;
    const { session: shaped, leaked } = shapeSession(result, claim);
    // The session goes to the browser: refuse to let an app callback leak the token.
    if (leaked) {
      throw new InvalidInputError(
        'withSessionTracking: your session callback copied the sessionkit token into the session. Do not spread the JWT (`token`) into the session; pick the fields you need.',
      );
    }
    return shaped;
  }

  async function signOut(message: SignOutMessage): Promise<void> {
    const claim = readClaim(message?.token);
    let failure: unknown = null;
    if (claim) {
      try {
        await manager.logout(claim.token);
      } catch (error) {
        failure = error;
      }
    }
    if (appSignOut) await appSignOut(message);
    // next-auth logs it and still clears the cookie.
    if (failure !== null) throw failure;
  }

  const tracked: TrackableAuthOptions = {
    ...authOptions,
    callbacks: { ...appCallbacks, jwt, session, signIn },
    events: { ...appEvents, signOut },
    // The app's encode and other jwt options stay; decode checks the session.
    jwt: { ...appJwtOptions, decode },
  };
  return tracked as T;
}

function userIdOf(user: JwtParams['user'], token: Token): string {
  const id = user?.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof token.sub === 'string' && token.sub !== '') return token.sub;
  throw new InvalidInputError(
    'withSessionTracking: the signed-in user has no id. Return an `id` from your provider (e.g. from authorize() of the Credentials provider).',
  );
}

/** `path` on the app's origin: NEXTAUTH_URL / AUTH_URL when set, else the request's Host. */
function absoluteUrl(path: string, headers: Awaited<ReturnType<GetHeaders>>): string {
  const base = process.env.NEXTAUTH_URL ?? process.env.AUTH_URL;
  if (base) {
    try {
      return new URL(path, base).href;
    } catch {}
  }
  const host = readHeader(headers ?? undefined, 'host');
  if (!host) return path;
  const proto = readHeader(headers ?? undefined, 'x-forwarded-proto')
    ?.split(',')[0]
    ?.trim();
  try {
    return new URL(path, `${proto === 'https' ? 'https' : 'http'}://${host}`).href;
  } catch {
    return path;
  }
}
