import type { SessionManager, SessionOrigin } from '@sessionkit/core';

// Federated sign-out (issue 16): at an OpenID Connect sign-in, the session
// remembers the provider session it came from, so the provider can end it
// (back-channel logout) and signing out can end the provider session
// (RP-initiated logout, which needs the ID token as `id_token_hint`).

/** What next-auth (v4 and v5) passes as `account` to the jwt callback at sign-in. */
interface AccountLike {
  provider?: unknown;
  id_token?: unknown;
}

/**
 * The claims of a compact JWS's payload, without verifying it: next-auth's
 * OAuth client (openid-client in v4, oauth4webapi in v5) verified this ID token
 * in the callback that just ran, before any callback sees `account`.
 */
export function unverifiedClaims(jwt: string): Record<string, unknown> | null {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The origin of an OpenID Connect sign-in: provider id, and `iss`, `sub`, `sid`
 * of the ID token next-auth received. Null for sign-ins without an ID token
 * (credentials, email, plain OAuth 2).
 */
export function originFromAccount(account: unknown, keepIdToken: boolean): SessionOrigin | null {
  if (account === null || typeof account !== 'object') return null;
  const { provider, id_token: idToken } = account as AccountLike;
  if (typeof provider !== 'string' || typeof idToken !== 'string') return null;
  const claims = unverifiedClaims(idToken);
  if (!claims) return null;
  const { iss, sub, sid } = claims;
  if (typeof iss !== 'string' || iss === '' || typeof sub !== 'string' || sub === '') return null;
  return {
    providerId: provider,
    issuer: iss,
    subject: sub,
    sid: typeof sid === 'string' && sid !== '' ? sid : null,
    idToken: keepIdToken ? idToken : null,
  };
}

/**
 * Records the origin on the new session. A session its provider could not end
 * must not exist: when the write fails (or the session is already gone), the
 * session is revoked and the sign-in fails (next-auth shows its error page).
 */
export async function recordOriginOrRevoke(
  manager: SessionManager,
  sessionId: string,
  userId: string,
  origin: SessionOrigin,
): Promise<void> {
  let recorded = false;
  let failure: unknown = null;
  try {
    recorded = await manager.recordOrigin(sessionId, origin);
  } catch (error) {
    failure = error;
  }
  if (recorded) return;
  await manager.revoke(sessionId, { userId, reason: 'origin_not_recorded' }).catch(() => false);
  throw (
    failure ??
    new Error('sessionkit: the new session ended before its identity-provider origin was recorded.')
  );
}
