// The sessionkit claim inside the (encrypted) NextAuth JWT, read without
// importing @sessionkit/core, so that the Edge entry (./edge) stays free of
// node:crypto. Must match what withSessionTracking writes.

/** The JWT claim sessionkit keeps its session reference in. */
export const SESSION_CLAIM = 'sessionkit';

export interface SessionClaim {
  /** Session id: safe to show. */
  id: string;
  /** The session's secret token: only ever inside the encrypted JWT. */
  token: string;
  userId: string;
  /** ISO 8601. */
  expiresAt: string;
  /**
   * The claims-refresh mark (`session.refreshRequestedAt`, ISO) whose reloaded
   * claims this JWT carries; absent before the first reload.
   */
  claimsFor?: string;
  /** Present while a challenged sign-in waits for `markVerified()` (issue 17). */
  verificationRequired?: true;
}

export function readSessionClaim(token: unknown): SessionClaim | null {
  if (!token || typeof token !== 'object') return null;
  const claim = (token as Record<string, unknown>)[SESSION_CLAIM];
  if (!claim || typeof claim !== 'object') return null;
  const {
    id,
    token: secret,
    userId,
    expiresAt,
    claimsFor,
    verificationRequired,
  } = claim as Record<string, unknown>;
  if (
    typeof id !== 'string' ||
    typeof secret !== 'string' ||
    typeof userId !== 'string' ||
    typeof expiresAt !== 'string'
  ) {
    return null;
  }
  return {
    id,
    token: secret,
    userId,
    expiresAt,
    ...(typeof claimsFor === 'string' ? { claimsFor } : {}),
    ...(verificationRequired === true ? { verificationRequired: true as const } : {}),
  };
}

/** The claim with `verificationRequired` as the session says now (set while pending, else absent). */
export function withChallenge(
  claim: SessionClaim,
  session: { verificationRequired?: boolean },
): SessionClaim {
  const { verificationRequired: _previous, ...rest } = claim;
  return session.verificationRequired === true ? { ...rest, verificationRequired: true } : rest;
}

/**
 * The app's session shaped for the browser: `user.id`, `sessionId` and
 * `expiresAt` from the claim, the claim itself removed. `leaked` says whether an
 * app callback copied the session's token into it anyway (callers refuse that).
 */
export function shapeSession(
  result: object,
  claim: SessionClaim,
): { session: Record<string, unknown>; leaked: boolean } {
  const shaped = result as Record<string, unknown>;
  const user =
    shaped.user && typeof shaped.user === 'object' ? (shaped.user as Record<string, unknown>) : {};
  const session: Record<string, unknown> = {
    ...shaped,
    user: { ...user, id: claim.userId },
    sessionId: claim.id,
    expiresAt: claim.expiresAt,
  };
  if (claim.verificationRequired === true) session.verificationRequired = true;
  delete session[SESSION_CLAIM];
  return { session, leaked: JSON.stringify(session).includes(claim.token) };
}
