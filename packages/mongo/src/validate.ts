import { InvalidInputError } from '@sessionkit/core';
import {
  ENDED_STATUSES,
  type EndGuard,
  type EndTransition,
  isSessionId,
  isWellFormedText,
  type Liveness,
  type PageQuery,
  SESSION_STATUSES,
  type SessionLimit,
  type SessionRecord,
  type SessionStatus,
} from '@sessionkit/core/store';

// Every value that reaches a MongoDB filter is checked here first, against the
// exact shape sessionkit produces. A filter value that is an object such as
// `{ $ne: null }` or `{ $gt: '' }` would be read by MongoDB as an operator and
// match other users' sessions; only strings, dates and numbers of the expected
// format ever get through. Messages name the field, never its value (it may be
// a token hash).

// SHA-256, base64url without padding: 43 characters.
const HASH_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// Generous: core limits user ids to 256 characters; the store only has to stop
// non-strings and absurd sizes.
const MAX_USER_ID_LENGTH = 1024;
const MAX_REASON_LENGTH = 256;
// Device ids are base64url fingerprints (22 characters from core); no ':', which
// separates the device id from the user id in a device document's _id.
const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const STATUSES: ReadonlySet<string> = new Set(SESSION_STATUSES);
const ENDED: ReadonlySet<string> = new Set(ENDED_STATUSES);

function fail(method: string, message: string): never {
  throw new InvalidInputError(`MongoDB session store ${method}(): ${message}`);
}

export function checkSessionId(method: string, value: unknown, name = 'sessionId'): string {
  if (!isSessionId(value))
    fail(method, `${name} must be a sessionkit session id (28 URL-safe characters).`);
  return value;
}

export function checkUserId(method: string, value: unknown, name = 'userId'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_USER_ID_LENGTH) {
    fail(method, `${name} must be a non-empty string of at most ${MAX_USER_ID_LENGTH} characters.`);
  }
  // BSON strings are UTF-8: a lone surrogate would be stored as U+FFFD, the id of someone else.
  if (!isWellFormedText(value)) fail(method, `${name} must be well-formed UTF-16 text.`);
  return value;
}

export function checkPageQuery(method: string, value: unknown): PageQuery {
  if (typeof value !== 'object' || value === null) fail(method, 'query must be an object.');
  const q = value as PageQuery;
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 1000) {
    fail(method, 'query.limit must be an integer from 1 to 1000.');
  }
  if (q.after !== null) {
    if (typeof q.after !== 'object') fail(method, 'query.after must be a cursor or null.');
    checkDate(method, q.after.at, 'query.after.at');
    checkSessionId(method, q.after.id, 'query.after.id');
  }
  return q;
}

export function checkDeviceId(method: string, value: unknown, name = 'deviceId'): string {
  if (typeof value !== 'string' || !DEVICE_ID_PATTERN.test(value)) {
    fail(method, `${name} must be a device id (1-64 URL-safe characters).`);
  }
  return value;
}

export function checkVerification(
  method: string,
  value: unknown,
  name = 'verification',
): { verifiedAt: Date; method: string } {
  if (typeof value !== 'object' || value === null) fail(method, `${name} must be an object.`);
  const v = value as { verifiedAt: unknown; method: unknown };
  checkDate(method, v.verifiedAt, `${name}.verifiedAt`);
  if (
    typeof v.method !== 'string' ||
    v.method.length === 0 ||
    v.method.length > MAX_REASON_LENGTH
  ) {
    fail(
      method,
      `${name}.method must be a non-empty string of at most ${MAX_REASON_LENGTH} characters.`,
    );
  }
  return value as { verifiedAt: Date; method: string };
}

export function checkVerificationUpdate(
  method: string,
  value: unknown,
): {
  verification: { verifiedAt: Date; method: string };
  liveness: Liveness;
  userId: string | null;
} {
  if (typeof value !== 'object' || value === null) fail(method, 'update must be an object.');
  const u = value as { verification: unknown; liveness: unknown; userId: unknown };
  const verification = checkVerification(method, u.verification, 'update.verification');
  const liveness = checkLiveness(method, u.liveness);
  const userId = u.userId === null ? null : checkUserId(method, u.userId, 'update.userId');
  return { verification, liveness, userId };
}

export function checkHash(method: string, value: unknown, name: string): string {
  if (typeof value !== 'string' || !HASH_PATTERN.test(value)) {
    fail(method, `${name} must be a SHA-256 hash in base64url (43 characters).`);
  }
  return value;
}

export function checkDate(method: string, value: unknown, name: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    fail(method, `${name} must be a valid Date.`);
  }
  return value;
}

/** A non-negative safe integer (a count or a duration in ms). */
export function checkCount(method: string, value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(method, `${name} must be a non-negative integer.`);
  }
  return value;
}

function checkNullableString(method: string, value: unknown, name: string): void {
  if (value !== null && typeof value !== 'string')
    fail(method, `${name} must be a string or null.`);
}

export function checkStatuses(method: string, value: unknown): SessionStatus[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && STATUSES.has(s))) {
    fail(method, `statuses must be an array of ${[...STATUSES].join(', ')}.`);
  }
  return value as SessionStatus[];
}

export function checkLiveness(method: string, value: unknown): Liveness {
  if (typeof value !== 'object' || value === null) fail(method, 'liveness must be an object.');
  const { now, idleTimeoutMs } = value as Liveness;
  checkDate(method, now, 'liveness.now');
  if (
    idleTimeoutMs !== null &&
    (typeof idleTimeoutMs !== 'number' || !Number.isFinite(idleTimeoutMs) || idleTimeoutMs < 0)
  ) {
    fail(method, 'liveness.idleTimeoutMs must be a non-negative number or null.');
  }
  return value as Liveness;
}

export function checkTransition(
  method: string,
  value: unknown,
  name = 'transition',
): EndTransition {
  if (typeof value !== 'object' || value === null) fail(method, `${name} must be an object.`);
  const t = value as EndTransition;
  if (typeof t.status !== 'string' || !ENDED.has(t.status)) {
    fail(method, `${name}.status must be one of ${[...ENDED].join(', ')}.`);
  }
  if (
    typeof t.reason !== 'string' ||
    t.reason.length === 0 ||
    t.reason.length > MAX_REASON_LENGTH
  ) {
    fail(
      method,
      `${name}.reason must be a non-empty string of at most ${MAX_REASON_LENGTH} characters.`,
    );
  }
  checkDate(method, t.endedAt, `${name}.endedAt`);
  checkDate(method, t.purgeAt, `${name}.purgeAt`);
  if (!Number.isInteger(t.historyCap) || t.historyCap < 0) {
    fail(method, `${name}.historyCap must be a non-negative integer.`);
  }
  return t;
}

export function checkGuard(method: string, value: unknown): EndGuard {
  if (typeof value !== 'object' || value === null) fail(method, 'guard must be an object.');
  const g = value as EndGuard;
  if (g.userId !== null) checkUserId(method, g.userId, 'guard.userId');
  if (g.tokenHash !== null) checkHash(method, g.tokenHash, 'guard.tokenHash');
  return g;
}

export function checkLimit(method: string, value: unknown): SessionLimit | null {
  if (value === null) return null;
  if (typeof value !== 'object') fail(method, 'limit must be an object or null.');
  const l = value as SessionLimit;
  if (!Number.isSafeInteger(l.max) || l.max < 1)
    fail(method, 'limit.max must be a positive integer.');
  if (l.onExceed !== 'reject' && l.onExceed !== 'revoke-oldest') {
    fail(method, "limit.onExceed must be 'reject' or 'revoke-oldest'.");
  }
  checkLiveness(method, l.liveness);
  checkTransition(method, l.eviction, 'limit.eviction');
  return l;
}

export function checkRecord(method: string, value: unknown): SessionRecord {
  if (typeof value !== 'object' || value === null) fail(method, 'record must be an object.');
  const r = value as SessionRecord;
  checkSessionId(method, r.id, 'record.id');
  checkUserId(method, r.userId, 'record.userId');
  if (r.status !== 'ACTIVE') fail(method, 'record.status must be ACTIVE for a new session.');
  checkHash(method, r.tokenHash, 'record.tokenHash');
  if (r.refreshTokenHash !== null) checkHash(method, r.refreshTokenHash, 'record.refreshTokenHash');
  if (!Array.isArray(r.retiredRefreshTokenHashes)) {
    fail(method, 'record.retiredRefreshTokenHashes must be an array.');
  }
  for (const hash of r.retiredRefreshTokenHashes) {
    checkHash(method, hash, 'record.retiredRefreshTokenHashes[]');
  }
  checkDeviceId(method, r.deviceKey, 'record.deviceKey');
  // Absent (a record built for an older contract) reads as null.
  if (r.verification !== null && r.verification !== undefined) {
    checkVerification(method, r.verification, 'record.verification');
  }
  if (
    r.risk !== null &&
    r.risk !== undefined &&
    (typeof r.risk !== 'object' ||
      !Array.isArray(r.risk.reasons) ||
      !r.risk.reasons.every((reason) => typeof reason === 'string'))
  ) {
    fail(method, 'record.risk must be null or { reasons: string[] }.');
  }
  checkNullableString(method, r.ipAddress, 'record.ipAddress');
  checkNullableString(method, r.userAgent, 'record.userAgent');
  checkNullableString(method, r.endReason, 'record.endReason');
  if (typeof r.deviceInfo !== 'object' || r.deviceInfo === null) {
    fail(method, 'record.deviceInfo must be an object.');
  }
  if (typeof r.metadata !== 'object' || r.metadata === null || Array.isArray(r.metadata)) {
    fail(method, 'record.metadata must be a plain object.');
  }
  for (const name of ['createdAt', 'lastActivityAt', 'expiresAt', 'purgeAt'] as const) {
    checkDate(method, r[name], `record.${name}`);
  }
  if (r.endedAt !== null) checkDate(method, r.endedAt, 'record.endedAt');
  return r;
}
