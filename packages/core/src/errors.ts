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

/** `create()` refused because the user already has `limit` active sessions (`onSessionLimit: 'reject'`). */
export class SessionLimitError extends SessionKitError {
  readonly limit: number;

  constructor(limit: number) {
    super(
      'SESSION_LIMIT',
      `This user already has the maximum of ${limit} active sessions. Sign out another device first, or configure onSessionLimit: 'revoke-oldest'.`,
    );
    this.limit = limit;
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
