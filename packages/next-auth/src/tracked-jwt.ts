// The sessionkit claim inside NextAuth's JWT, and a `jwt.decode` that only
// lets a JWT through while the session it names is live. next-auth decodes the
// session cookie in places that never run callbacks (v4 callback-handler and
// @auth/core handle-login before linking an OAuth account, sign-out, getToken
// in middleware): checking at decode closes all of them at once.
import type { Session, SessionManager } from '@sessionkit/core';
import { afterResponse } from './after-response.js';
import { readSessionClaim as readClaim, SESSION_CLAIM, type SessionClaim } from './claim.js';

export { readClaim, SESSION_CLAIM, type SessionClaim };

/** next-auth's `jwt.decode` parameters (v4 `JWTDecodeParams`, v5 adds `salt`). */
export interface JwtDecodeParams {
  token?: string | undefined;
  secret: string | string[] | Buffer;
  salt?: string | undefined;
  [name: string]: unknown;
}

export type JwtDecode = (params: JwtDecodeParams) => unknown;

/** Whether `session` (from `manager.validate(claim.token)`) is the live session the claim names. */
export function isClaimLive(session: Session | null, claim: SessionClaim): session is Session {
  return session !== null && session.id === claim.id && session.userId === claim.userId;
}

// Payloads decode() just validated, so that the `jwt` callback next-auth runs on
// the very same object (v4 core/routes/session.js, @auth/core lib/actions/session.js
// both pass the decoded payload on as `token`) does not ask the store again.
const justValidated = new WeakMap<object, Session>();

/** The session decode() validated for this payload, once: a second call returns undefined. */
export function takeValidated(token: object): Session | undefined {
  const session = justValidated.get(token);
  justValidated.delete(token);
  return session;
}

let defaultDecode: Promise<JwtDecode> | undefined;

/**
 * next-auth's own `decode` from `next-auth/jwt` (v4 and v5 both export it),
 * loaded on first use so that importing this package never loads next-auth.
 */
export function loadDefaultDecode(): Promise<JwtDecode> {
  defaultDecode ??= import('next-auth/jwt').then(
    (module) => (module as unknown as { decode: JwtDecode }).decode,
  );
  return defaultDecode;
}

/**
 * A `jwt.decode` that decodes with `appDecode` (default: next-auth's) and then
 * returns `null` for a session JWT whose sessionkit session is not live:
 * revoked, signed out, expired, unknown, or never tracked. Payloads that are
 * not session JWTs (next-auth's state, PKCE and nonce cookies) pass unchanged.
 * A store that cannot answer rejects with `SessionStoreError` (fail closed:
 * every next-auth caller treats a throwing decode as "no session").
 */
export function createTrackedDecode(
  manager: SessionManager,
  appDecode?: JwtDecode,
  onEnded?: (reason: string) => Promise<void>,
): JwtDecode {
  return async function decode(params) {
    const base = appDecode ?? (await loadDefaultDecode());
    const payload = await base(params);
    if (!payload || typeof payload !== 'object') return payload ?? null;
    if (!(SESSION_CLAIM in payload)) {
      // A session JWT (it names a user) without a tracked session cannot be
      // revoked, so it is not honoured; the jwt callback refuses it too.
      return 'sub' in payload ? null : payload;
    }
    const claim = readClaim(payload);
    if (!claim) return null;
    let endReason: string | null = null;
    const session = await manager.validate(claim.token, {
      waitUntil: await afterResponse(),
      onEnded: (ended) => {
        endReason = ended.reason;
      },
    });
    if (!isClaimLive(session, claim)) {
      // This device's own session ended: tell it why (a code only).
      if (endReason !== null && onEnded) await onEnded(endReason);
      return null;
    }
    justValidated.set(payload, session);
    return payload;
  };
}
