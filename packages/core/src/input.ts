import { InvalidInputError } from './errors.js';
import { SESSION_STATUSES, type SessionStatus } from './session.js';
import { isSessionId } from './token.js';

const MAX_USER_ID_LENGTH = 256;
const MAX_METADATA_BYTES = 8192;
const MAX_REASON_LENGTH = 128;
const MAX_HISTORY_LIMIT = 1000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

// A lone surrogate ("bob\ud800") is not text: encoders replace it with U+FFFD,
// so two different ids would reach a database as the same bytes (and the same
// Redis keys), and JSON parsers such as Redis's cjson refuse its escape.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether `value` is well-formed UTF-16 (no lone surrogate), i.e. encodes to
 * UTF-8 and back unchanged. Stores use it to refuse ids that would collide.
 */
export function isWellFormedText(value: string): boolean {
  const native = (value as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === 'function' ? native.call(value) : !LONE_SURROGATE.test(value);
}

function fail(method: string, message: string): never {
  throw new InvalidInputError(`${method}: ${message}`);
}

export function checkUserId(method: string, userId: unknown, name = 'userId'): string {
  if (typeof userId !== 'string' || userId.length === 0) {
    fail(method, `${name} must be a non-empty string (the id of your user).`);
  }
  if (userId.length > MAX_USER_ID_LENGTH) {
    fail(
      method,
      `${name} is ${userId.length} characters long; the maximum is ${MAX_USER_ID_LENGTH}.`,
    );
  }
  if (CONTROL_CHARS.test(userId)) fail(method, `${name} must not contain control characters.`);
  if (!isWellFormedText(userId)) {
    fail(
      method,
      `${name} is not well-formed UTF-16 (it contains a lone surrogate such as \\ud800); pass the id as valid text.`,
    );
  }
  return userId;
}

export function checkSessionId(method: string, sessionId: unknown, name = 'sessionId'): string {
  if (!isSessionId(sessionId)) {
    fail(
      method,
      `${name} must be a session id as returned by sessionkit (28 URL-safe characters).`,
    );
  }
  return sessionId;
}

export function checkReason(method: string, reason: unknown, fallback: string): string {
  if (reason === undefined) return fallback;
  if (
    typeof reason !== 'string' ||
    reason.length === 0 ||
    reason.length > MAX_REASON_LENGTH ||
    CONTROL_CHARS.test(reason) ||
    !isWellFormedText(reason)
  ) {
    fail(
      method,
      `reason must be a non-empty string of at most ${MAX_REASON_LENGTH} printable characters (well-formed text), e.g. 'revoked_by_admin'.`,
    );
  }
  return reason;
}

export function checkOptionsObject(method: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(method, 'options must be an object.');
  }
  return options as Record<string, unknown>;
}

export function checkStatuses(method: string, status: unknown): SessionStatus[] {
  if (status === undefined) return ['ACTIVE'];
  const list = Array.isArray(status) ? status : [status];
  if (list.length === 0 || !list.every((s) => SESSION_STATUSES.includes(s as SessionStatus))) {
    fail(method, `status must be one of ${SESSION_STATUSES.join(', ')} (or an array of them).`);
  }
  return [...new Set(list as SessionStatus[])];
}

export function checkLimit(
  method: string,
  limit: unknown,
  fallback: number,
  max: number = MAX_HISTORY_LIMIT,
): number {
  if (limit === undefined) return fallback;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) {
    fail(method, `limit must be an integer from 1 to ${max}.`);
  }
  return limit;
}

/** Metadata must be a plain JSON object of at most 8 KB; it is stored as a JSON copy. */
export function checkMetadata(method: string, metadata: unknown): Record<string, unknown> {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    fail(method, 'metadata must be a plain object, e.g. { loginMethod: "password" }.');
  }
  const proto = Object.getPrototypeOf(metadata);
  if (proto !== Object.prototype && proto !== null)
    fail(method, 'metadata must be a plain object.');
  let json: string | undefined;
  try {
    json = JSON.stringify(metadata);
  } catch {
    fail(method, 'metadata must be JSON-serialisable (no cycles or BigInts).');
  }
  // What is checked is the JSON that will be stored: an own toJSON() may turn
  // the object into null, a string, an array or nothing at all.
  if (typeof json !== 'string' || !json.startsWith('{')) {
    fail(
      method,
      'metadata must serialise to a JSON object; a toJSON() that returns null, a string or an array is refused.',
    );
  }
  if (Buffer.byteLength(json, 'utf8') > MAX_METADATA_BYTES) {
    fail(
      method,
      `metadata is larger than ${MAX_METADATA_BYTES} bytes as JSON; store a reference instead.`,
    );
  }
  const stored: unknown = JSON.parse(json);
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) {
    fail(method, 'metadata must serialise to a JSON object.');
  }
  checkMetadataKeys(method, stored as Record<string, unknown>);
  return stored as Record<string, unknown>;
}

/**
 * Deepest nesting of objects/arrays allowed in metadata. MongoDB refuses
 * documents nested more than 100 levels (the session document and its
 * `metadata` field take two); 32 leaves room and is plenty for app data.
 */
export const MAX_METADATA_DEPTH = 32;

/**
 * Metadata keys every store can keep as given: no NUL (BSON keys are
 * C strings, so MongoDB refuses the insert) and no leading `$` (MongoDB reads
 * `{ $ref, $id }` back as a DBRef of another shape, and `$`-keys are operators
 * in queries and updates). Dotted keys are kept: stores write metadata as one
 * whole value, never as an update or query path, so a dot is never read as a
 * path. Walks nested objects and arrays iteratively, bounded by
 * MAX_METADATA_DEPTH (and by MAX_METADATA_BYTES for the number of keys).
 */
function checkMetadataKeys(method: string, metadata: Record<string, unknown>): void {
  const pending: { value: unknown; depth: number; path: string }[] = [
    { value: metadata, depth: 1, path: 'metadata' },
  ];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, depth, path } = item;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_METADATA_DEPTH) {
      fail(
        method,
        `metadata is nested more than ${MAX_METADATA_DEPTH} levels deep (at ${path}); flatten it.`,
      );
    }
    if (Array.isArray(value)) {
      value.forEach((entry, index) => {
        pending.push({ value: entry, depth: depth + 1, path: `${path}[${index}]` });
      });
      continue;
    }
    for (const [key, entry] of Object.entries(value)) {
      const shown = JSON.stringify(key.slice(0, 40));
      if (key.includes('\u0000')) {
        fail(method, `metadata key ${shown} at ${path} contains a NUL character; remove it.`);
      }
      if (key.startsWith('$')) {
        fail(
          method,
          `metadata key ${shown} at ${path} starts with '$', which MongoDB reserves for operators and DBRefs; rename it (e.g. without the '$').`,
        );
      }
      pending.push({ value: entry, depth: depth + 1, path: `${path}.${key.slice(0, 40)}` });
    }
  }
}

export function checkOptionalString(
  method: string,
  name: string,
  value: unknown,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(method, `${name} must be a string.`);
  return value;
}
