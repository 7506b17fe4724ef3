import type { TrustProxy } from './client-ip.js';
import { InvalidInputError } from './errors.js';
import type { SessionKitLogger } from './events.js';
import type { GeoPolicy, GeoResolver, ResolvedGeoPolicy } from './geo.js';
import type { ResolvedSuspiciousLogin, SuspiciousLoginOptions } from './risk.js';
import { resolveServerKeys, type ServerKeys } from './secret.js';
import { DEFAULT_HISTORY_RETENTION_MS, type SessionStore, STORE_METHODS } from './session-store.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const TEN_YEARS = 3650 * DAY;

/** The default concurrent-session limit: generous for people, bounded for attackers. */
export const DEFAULT_MAX_SESSIONS_PER_USER = 100;

/** What create() does when a user is at `maxSessionsPerUser`. */
export type LimitPolicy = 'revoke-oldest' | 'reject' | 'ask';

export interface SessionManagerOptions {
  /** Where sessions live: `createMemoryStore()`, `createRedisStore()`, `createMongoStore()`… */
  store: SessionStore;
  /** Absolute lifetime of a session in ms. @default 30 days */
  expiresIn?: number;
  /** Expire a session after this many ms without activity. @default undefined (never) */
  idleTimeout?: number;
  /** At most one activity write per session per this many ms. @default 60_000 */
  touchInterval?: number;
  /**
   * How validate() records activity when a write is due (once per
   * `touchInterval`). `'background'`: validate() answers after its one read and
   * the write runs on its own (handed to `validate(token, { waitUntil })` when
   * given — the next-auth integration passes Next's `after()`); a failed write
   * is logged and never makes a valid session invalid. `'await'`: validate()
   * waits for the write, a second round trip on the request path.
   * @default 'background', or 'await' with `idleTimeout` (a write lost with a
   * frozen serverless instance could then end a session early)
   */
  activityWrites?: 'background' | 'await';
  /**
   * Most concurrent live sessions one user may hold. `null` turns the limit off:
   * then a single account can accumulate any number of sessions, and every
   * per-user operation (listing pages, `revokeAll` batches, suspicious-login
   * checks) still runs in bounded steps but `revokeAll` takes time proportional
   * to what the user holds. @default 100
   */
  maxSessionsPerUser?: number | null;
  /**
   * What create() does at the limit; see {@link SessionManagerOptions.limitPolicy}
   * (the name going forward; both are read, and must agree when both are given).
   * @default 'revoke-oldest'
   */
  onSessionLimit?: LimitPolicy;
  /**
   * What create() does at `maxSessionsPerUser`: `'revoke-oldest'` ends the
   * earliest-created sessions; `'reject'` throws `SessionLimitError`; `'ask'`
   * holds the sign-in (kept for `pendingSignInTtl`, single use) and throws
   * `SessionLimitError` with the user's live sessions and a `pendingSignIn`, so
   * the user picks which session to end (`completePendingSignIn`).
   * @default 'revoke-oldest'
   */
  limitPolicy?: LimitPolicy;
  /** How long a sign-in held by `limitPolicy: 'ask'` can be completed, in ms (10 s – 1 h). @default 5 minutes */
  pendingSignInTtl?: number;
  /** Resolves an IP to a location, e.g. `createGeoipLiteResolver()`. @default undefined */
  geo?: GeoResolver;
  /** Country allow/block lists checked at sign-in; needs `geo`. @default undefined */
  geoPolicy?: GeoPolicy;
  /** How far to trust `X-Forwarded-For` (see {@link TrustProxy}). @default false */
  trustProxy?: TrustProxy;
  /** Issue rotating refresh tokens with reuse detection. @default false */
  refreshTokens?: boolean;
  /** How long ended sessions stay listable by history(), in ms. @default 90 days */
  historyRetention?: number;
  /** Clock in epoch ms, for tests. @default Date.now */
  now?: () => number;
  /** Where event-handler failures and store warnings are reported. @default console */
  logger?: SessionKitLogger;
  /**
   * Compare each sign-in with the user's recent sessions (new country, impossible
   * travel, bursts) and emit `suspiciousLogin`; see {@link SuspiciousLoginOptions}.
   * Costs one extra store read per sign-in. @default undefined (off)
   */
  suspiciousLogin?: SuspiciousLoginOptions | boolean;
  /**
   * Server-side secret (at least 32 characters) that keys the user shard of
   * session ids (so an id does not reveal its user) and authenticates refresh
   * tokens (reuse is recognised however many rotations happened). Share it
   * across instances; see docs/security.md before changing it.
   * @default process.env.SESSIONKIT_SECRET ?? AUTH_SECRET ?? NEXTAUTH_SECRET
   */
  secret?: string;
  /**
   * Reuse grace window of refresh-token rotation, in ms (needs `refreshTokens`).
   * Two tabs that refresh with one token at once both get the same new pair,
   * as long as the second arrives within this window of the rotation and the
   * first one's new refresh token was not used yet. Later, or older tokens,
   * are reuse and revoke the session as before. `0`: strict (RFC 9700 §4.14.2);
   * see docs/security.md for the trade-off. @default 10_000
   */
  refreshReuseGrace?: number;
}

export interface ResolvedOptions {
  store: SessionStore;
  expiresIn: number;
  idleTimeout: number | null;
  touchInterval: number;
  activityWrites: 'background' | 'await';
  maxSessionsPerUser: number | null;
  onSessionLimit: LimitPolicy;
  pendingSignInTtl: number;
  geo: GeoResolver | null;
  geoPolicy: ResolvedGeoPolicy | null;
  trustProxy: TrustProxy;
  refreshTokens: boolean;
  historyRetention: number;
  now: () => number;
  logger: SessionKitLogger;
  suspiciousLogin: ResolvedSuspiciousLogin | null;
  keys: ServerKeys;
  /** Reuse grace window in ms; 0: strict. */
  refreshReuseGrace: number;
}

function fail(message: string): never {
  throw new InvalidInputError(`createSessionManager: ${message}`);
}

function duration(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > TEN_YEARS) {
    fail(
      `options.${name} must be a number of milliseconds between ${min} and ${TEN_YEARS} (got ${describe(value)}). Example: ${name}: 30 * 24 * 60 * 60 * 1000.`,
    );
  }
  return Math.floor(value);
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the string "${value.slice(0, 40)}"`;
  if (value === null) return 'null';
  return typeof value;
}

function countryList(name: string, value: unknown): Set<string> {
  if (
    !Array.isArray(value) ||
    !value.every((c) => typeof c === 'string' && /^[A-Za-z]{2}$/.test(c))
  ) {
    fail(
      `options.geoPolicy.${name} must be an array of ISO 3166-1 alpha-2 country codes like ['DE', 'FR'].`,
    );
  }
  return new Set(value.map((c: string) => c.toUpperCase()));
}

/** Validates options and fills in defaults; every message says how to fix the mistake. */
export function resolveOptions(options: SessionManagerOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') {
    fail('pass an options object, e.g. createSessionManager({ store: createMemoryStore() }).');
  }
  const { store } = options;
  if (!store || typeof store !== 'object') {
    fail(
      'options.store is required: pass a SessionStore such as createMemoryStore() or createRedisStore({ client }).',
    );
  }
  for (const method of STORE_METHODS) {
    if (typeof (store as unknown as Record<string, unknown>)[method] !== 'function') {
      fail(`options.store does not implement SessionStore: ${method}() is missing.`);
    }
  }

  const expiresIn = duration('expiresIn', options.expiresIn, 30 * DAY, 1);
  const idleTimeout =
    options.idleTimeout === undefined ? null : duration('idleTimeout', options.idleTimeout, 0, 1);
  const touchInterval = duration('touchInterval', options.touchInterval, MINUTE, 0);
  const historyRetention = duration(
    'historyRetention',
    options.historyRetention,
    DEFAULT_HISTORY_RETENTION_MS,
    0,
  );

  const activityWrites = options.activityWrites ?? (idleTimeout === null ? 'background' : 'await');
  if (activityWrites !== 'background' && activityWrites !== 'await') {
    fail(
      `options.activityWrites must be 'background' or 'await' (got ${describe(activityWrites)}).`,
    );
  }

  let maxSessionsPerUser: number | null = DEFAULT_MAX_SESSIONS_PER_USER;
  if (options.maxSessionsPerUser === null) {
    maxSessionsPerUser = null;
  } else if (options.maxSessionsPerUser !== undefined) {
    const max = options.maxSessionsPerUser;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 10_000) {
      fail(
        `options.maxSessionsPerUser must be an integer from 1 to 10000, or null for no limit (got ${describe(max)}).`,
      );
    }
    maxSessionsPerUser = max;
  }

  const { onSessionLimit, pendingSignInTtl } = resolveLimitPolicy(options);

  if (options.geo !== undefined && typeof options.geo !== 'function') {
    fail('options.geo must be a function (ip) => location | null, e.g. createGeoipLiteResolver().');
  }
  let geoPolicy: ResolvedOptions['geoPolicy'] = null;
  if (options.geoPolicy !== undefined) {
    const policy = options.geoPolicy;
    if (!policy || typeof policy !== 'object') {
      fail('options.geoPolicy must be an object like { blockCountries: ["KP"] }.');
    }
    if (options.geo === undefined) {
      fail(
        'options.geoPolicy needs options.geo to resolve countries, e.g. geo: createGeoipLiteResolver().',
      );
    }
    geoPolicy = {
      allow:
        policy.allowCountries === undefined
          ? null
          : countryList('allowCountries', policy.allowCountries),
      block:
        policy.blockCountries === undefined
          ? new Set()
          : countryList('blockCountries', policy.blockCountries),
      allowUnknown: policy.allowUnknown === true,
    };
  }

  const trustProxy = options.trustProxy ?? false;
  if (
    typeof trustProxy !== 'boolean' &&
    !(
      typeof trustProxy === 'number' &&
      Number.isInteger(trustProxy) &&
      trustProxy >= 0 &&
      trustProxy <= 100
    )
  ) {
    fail(
      `options.trustProxy must be true, false or the number of trusted proxy hops (got ${describe(trustProxy)}).`,
    );
  }

  if (options.refreshTokens !== undefined && typeof options.refreshTokens !== 'boolean') {
    fail('options.refreshTokens must be true or false.');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    fail('options.now must be a function returning epoch milliseconds, e.g. () => Date.now().');
  }
  const logger = options.logger ?? console;
  if (typeof logger.warn !== 'function' || typeof logger.error !== 'function') {
    fail('options.logger must have warn() and error() methods.');
  }

  return {
    keys: resolveServerKeys(options.secret, logger),
    refreshReuseGrace: resolveRefreshReuseGrace(options.refreshReuseGrace),
    suspiciousLogin: resolveSuspiciousLogin(options.suspiciousLogin),
    store,
    expiresIn,
    idleTimeout,
    touchInterval,
    activityWrites,
    maxSessionsPerUser,
    onSessionLimit,
    pendingSignInTtl,
    geo: options.geo ?? null,
    geoPolicy,
    trustProxy,
    refreshTokens: options.refreshTokens ?? false,
    historyRetention,
    now: options.now ?? Date.now,
    logger,
  };
}

function resolveSuspiciousLogin(
  value: SuspiciousLoginOptions | boolean | undefined,
): ResolvedSuspiciousLogin | null {
  if (value === undefined || value === false) return null;
  const options: SuspiciousLoginOptions = value === true ? {} : value;
  if (!options || typeof options !== 'object') {
    fail("options.suspiciousLogin must be true or an object like { policy: 'flag' }.");
  }
  const policy = options.policy ?? 'flag';
  if (policy !== 'allow' && policy !== 'flag' && policy !== 'reject' && policy !== 'challenge') {
    fail("options.suspiciousLogin.policy must be 'allow', 'flag', 'reject' or 'challenge'.");
  }
  const speed = options.maxTravelSpeedKmh ?? 1000;
  if (speed !== false && (typeof speed !== 'number' || !(speed > 0))) {
    fail('options.suspiciousLogin.maxTravelSpeedKmh must be a positive number of km/h, or false.');
  }
  const burst = options.burst ?? { maxLogins: 5, windowMs: 10 * MINUTE };
  if (
    burst !== false &&
    (typeof burst !== 'object' ||
      !Number.isInteger(burst.maxLogins) ||
      burst.maxLogins < 1 ||
      !(burst.windowMs > 0))
  ) {
    fail(
      'options.suspiciousLogin.burst must be false or { maxLogins: integer ≥ 1, windowMs: ms > 0 }.',
    );
  }
  return {
    policy,
    newCountry: options.newCountry !== false,
    maxTravelSpeedKmh: speed === false ? null : speed,
    burst: burst === false ? null : { maxLogins: burst.maxLogins, windowMs: burst.windowMs },
  };
}

/** Default reuse grace window of refresh rotation: enough for tabs racing one refresh. */
export const DEFAULT_REFRESH_REUSE_GRACE_MS = 10 * SECOND;

// Longer windows let a stolen, already-rotated token be exchanged for that long.
const MAX_REFRESH_REUSE_GRACE_MS = 5 * MINUTE;

function resolveRefreshReuseGrace(value: unknown): number {
  if (value === undefined) return DEFAULT_REFRESH_REUSE_GRACE_MS;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_REFRESH_REUSE_GRACE_MS
  ) {
    fail(
      `options.refreshReuseGrace must be a number of milliseconds from 0 (strict: every reuse revokes) to ${MAX_REFRESH_REUSE_GRACE_MS} (got ${describe(value)}). Example: refreshReuseGrace: 10_000.`,
    );
  }
  return Math.floor(value);
}

const LIMIT_POLICIES: readonly LimitPolicy[] = ['revoke-oldest', 'reject', 'ask'];

/** `limitPolicy` / `onSessionLimit` (one setting, two names) and the held sign-in's lifetime. */
function resolveLimitPolicy(options: SessionManagerOptions): {
  onSessionLimit: LimitPolicy;
  pendingSignInTtl: number;
} {
  const { limitPolicy, onSessionLimit } = options;
  for (const [name, value] of [
    ['limitPolicy', limitPolicy],
    ['onSessionLimit', onSessionLimit],
  ] as const) {
    if (value !== undefined && !LIMIT_POLICIES.includes(value)) {
      fail(`options.${name} must be 'revoke-oldest', 'reject' or 'ask' (got ${describe(value)}).`);
    }
  }
  if (limitPolicy !== undefined && onSessionLimit !== undefined && limitPolicy !== onSessionLimit) {
    fail(
      `options.limitPolicy ('${limitPolicy}') and options.onSessionLimit ('${onSessionLimit}') disagree: they are one setting. Pass only limitPolicy.`,
    );
  }
  const ttl = options.pendingSignInTtl;
  if (ttl !== undefined && (typeof ttl !== 'number' || !(ttl >= 10 * SECOND && ttl <= HOUR))) {
    fail(
      `options.pendingSignInTtl must be a number of milliseconds from 10000 to 3600000 (got ${describe(ttl)}). Example: 5 * 60 * 1000.`,
    );
  }
  return {
    onSessionLimit: limitPolicy ?? onSessionLimit ?? 'revoke-oldest',
    pendingSignInTtl: Math.floor(ttl ?? 5 * MINUTE),
  };
}
