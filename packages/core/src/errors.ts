import type { Session } from './session.js';

/**
 * Every error sessionkit throws extends `SessionKitError` and carries a stable
 * machine-readable `code`. Messages say what was wrong and how to fix it; they
 * never contain a token, a refresh token or a token hash.
 */
export class SessionKitError extends Error {
  /** Stable identifier for programmatic handling, e.g. `'SESSION_LIMIT'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The caller passed something malformed: a bad option, id, user id or metadata. */
export class InvalidInputError extends SessionKitError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/**
 * A sign-in held at the session limit (`limitPolicy: 'ask'`): kept server-side
 * for a few minutes, single use. `id` is a secret like a token: whoever holds
 * it can finish this sign-in, so hand it only to the browser that signed in.
 */
export interface HeldSignIn {
  id: string;
  expiresAt: Date;
}

/**
 * `create()` refused because the user already has `limit` live sessions
 * (`limitPolicy: 'reject'` or `'ask'`). Under `'ask'` the sign-in is held:
 * `pendingSignIn` names it and `sessions` is the public view of the user's live
 * sessions (what `list()` returns, no token), so the user can pick one to end
 * with `manager.completePendingSignIn(pendingSignIn.id, { endSessionId })`.
 */
export class SessionLimitError extends SessionKitError {
  readonly limit: number;
  /** The user's live sessions to choose from (`'ask'` only; empty otherwise). */
  readonly sessions: readonly Session[];
  /** The held sign-in (`'ask'` only; null otherwise). Not enumerable, so serialising the error never copies its id. */
  declare readonly pendingSignIn: HeldSignIn | null;

  constructor(limit: number, held?: { sessions: readonly Session[]; pendingSignIn: HeldSignIn }) {
    super(
      'SESSION_LIMIT',
      held
        ? `This user already has the maximum of ${limit} active sessions. The sign-in is held: let the user end one of error.sessions, then call manager.completePendingSignIn(error.pendingSignIn.id, { endSessionId }).`
        : `This user already has the maximum of ${limit} active sessions. Sign out another device first, or configure limitPolicy: 'revoke-oldest' or 'ask'.`,
    );
    this.limit = limit;
    this.sessions = held?.sessions ?? [];
    // Not enumerable: a logger that serialises the error must not copy the held
    // sign-in's id (a secret) into a log line.
    Object.defineProperty(this, 'pendingSignIn', {
      value: held?.pendingSignIn ?? null,
      enumerable: false,
      writable: false,
    });
  }
}

/**
 * `completePendingSignIn()` could not finish a held sign-in. `code`:
 * `PENDING_SIGN_IN_NOT_FOUND` (unknown, expired or already completed: sign in
 * again) or `PENDING_SIGN_IN_CHOICE` (the chosen session is not one of the
 * user's live sessions any more: pick another; the sign-in stays held).
 */
export class PendingSignInError extends SessionKitError {
  readonly reason: 'not_found' | 'choice_invalid';

  constructor(reason: 'not_found' | 'choice_invalid') {
    super(
      reason === 'not_found' ? 'PENDING_SIGN_IN_NOT_FOUND' : 'PENDING_SIGN_IN_CHOICE',
      reason === 'not_found'
        ? 'This held sign-in is unknown, expired or already completed. Sign in again.'
        : 'The chosen session is not a live session of this user (it may have just ended). Choose another one; the sign-in is still held.',
    );
    this.reason = reason;
  }
}

/** `create()` refused because the sign-in comes from a country the `geoPolicy` does not allow. */
export class GeoBlockedError extends SessionKitError {
  /** ISO 3166-1 alpha-2 country, or null when the location could not be resolved. */
  readonly country: string | null;

  constructor(country: string | null) {
    super(
      'GEO_BLOCKED',
      country === null
        ? 'Sign-in refused: the location of this IP address is unknown and geoPolicy.allowCountries is set. Set geoPolicy.allowUnknown: true to let unknown locations through.'
        : `Sign-in refused: country ${country} is not allowed by geoPolicy.`,
    );
    this.country = country;
  }
}

/** `create()` refused a sign-in that `suspiciousLogin` flagged (`policy: 'reject'`). */
export class SuspiciousLoginError extends SessionKitError {
  readonly reasons: readonly string[];

  constructor(reasons: readonly string[]) {
    super(
      'SUSPICIOUS_LOGIN',
      `Sign-in refused as suspicious (${reasons.join(', ')}). Ask the user to verify another way, or set suspiciousLogin.policy to 'flag'.`,
    );
    this.reasons = reasons;
  }
}

/** A sensitive action needs a step-up verification more recent than the one on the session. */
export class VerificationRequiredError extends SessionKitError {
  readonly maxAgeMs: number;

  constructor(maxAgeMs: number) {
    super(
      'VERIFICATION_REQUIRED',
      `This action needs a verification (e.g. a 2FA challenge) within the last ${Math.round(maxAgeMs / 1000)} s. Verify, record it with manager.markVerified(), and retry.`,
    );
    this.maxAgeMs = maxAgeMs;
  }
}

/**
 * A sensitive action was refused because the session's sign-in was challenged
 * (`suspiciousLogin.policy: 'challenge'`) and has not been verified yet.
 */
export class SignInVerificationRequiredError extends SessionKitError {
  constructor() {
    super(
      'SIGN_IN_VERIFICATION_REQUIRED',
      'This sign-in looked unusual and must be confirmed first (e.g. with a two-factor code or an email link). Verify, record it with manager.markVerified(), and retry.',
    );
  }
}

/**
 * The store could not answer (unreachable, timed out, or failed). Treat the
 * session as invalid: sessionkit fails closed.
 */
export class SessionStoreError extends SessionKitError {
  constructor(operation: string, cause: unknown) {
    super(
      'STORE_UNAVAILABLE',
      `Session store failed during ${operation}: ${describeCause(cause)}. The session is treated as invalid until the store answers again.`,
      { cause: redactCause(cause) },
    );
  }
}

// Database errors can quote the values they choke on (MongoDB's E11000 quotes the
// duplicate key, i.e. a token hash). Long base64url/hex runs are redacted so no
// hash ever leaves through an error message or its cause.
const SECRET_LOOKING = /[A-Za-z0-9_\-+/=]{32,}/g;

function redact(text: string): string {
  return text.replace(SECRET_LOOKING, '[redacted]').slice(0, 300);
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return redact(cause.message);
  return 'unknown error';
}

function redactCause(cause: unknown): Error | undefined {
  if (!(cause instanceof Error)) return undefined;
  const copy = new Error(redact(cause.message));
  copy.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') {
    (copy as Error & { code?: unknown }).code = code;
  }
  return copy;
}
