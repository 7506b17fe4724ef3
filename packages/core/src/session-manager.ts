import { getClientIp, type HeadersLike, normalizeIp, readHeader } from './client-ip.js';
import { deviceFingerprint, isDeviceId, readDeviceIdCookie } from './device.js';
import {
  GeoBlockedError,
  InvalidInputError,
  SessionLimitError,
  SessionStoreError,
  SuspiciousLoginError,
} from './errors.js';
import {
  SESSION_EVENT_NAMES,
  SessionEventEmitter,
  type SessionEventHandler,
  type SessionEventName,
} from './events.js';
import {
  checkLimit,
  checkMetadata,
  checkOptionalString,
  checkOptionsObject,
  checkReason,
  checkSessionId,
  checkStatuses,
  checkUserId,
} from './input.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { assessLogin } from './risk.js';
import { EdgeRuntimeError, isEdgeRuntime } from './runtime.js';
import {
  ENDED_STATUSES,
  type KnownDevice,
  type Session,
  type SessionLocation,
  type SessionRisk,
  type SessionStatus,
} from './session.js';
import { toPublicDevice, toPublicSession } from './session-record.js';
import {
  type EndTransition,
  expiryOf,
  isLive,
  isLiveAt,
  type Liveness,
  type SessionRecord,
} from './session-store.js';
import {
  createSessionId,
  createToken,
  hashesEqual,
  hashToken,
  isTokenShaped,
  sessionIdOfToken,
} from './token.js';
import { parseUserAgent, truncateUserAgent } from './user-agent.js';

// Rotated-out refresh hashes kept per session for reuse detection.
const MAX_RETIRED_REFRESH_HASHES = 20;
const DEFAULT_HISTORY_LIMIT = 50;

export interface CreateSessionInput {
  userId: string;
  /** Request headers: the user agent and (per `trustProxy`) the client IP are read from them. */
  headers?: HeadersLike;
  /** Client IP; overrides what `headers` say. */
  ipAddress?: string;
  /** User agent; overrides what `headers` say. */
  userAgent?: string;
  /** Your own data, a plain JSON object of at most 8 KB. */
  metadata?: Record<string, unknown>;
  /**
   * The browser's device id (see `createDeviceIdCookie`); read from the
   * `sessionkit.device-id` cookie in `headers` when omitted.
   */
  deviceId?: string;
}

export interface CreatedSession {
  session: Session;
  /** The secret to hand to the client (cookie / JWT). Shown once; only its hash is stored. */
  token: string;
  /** Present when `refreshTokens: true`. */
  refreshToken?: string;
}

export interface RefreshedSession {
  session: Session;
  token: string;
  refreshToken: string;
}

export interface SessionManager {
  /** Creates a session. Throws `SessionLimitError`, `GeoBlockedError`, `InvalidInputError` or `SessionStoreError`. */
  create(input: CreateSessionInput): Promise<CreatedSession>;
  /** The live session a token belongs to, or null (unknown, malformed, ended or expired). Touches activity, throttled. */
  validate(token: string): Promise<Session | null>;
  /** A session by id, in any status, or null. */
  get(sessionId: string): Promise<Session | null>;
  /** A user's sessions, ACTIVE by default, most recent activity first. */
  list(userId: string, options?: { status?: SessionStatus | SessionStatus[] }): Promise<Session[]>;
  /** A user's ended sessions, most recently ended first. */
  history(userId: string, options?: { limit?: number }): Promise<Session[]>;
  /** Records activity for a token's session (throttled by `touchInterval`); false when it is not live. */
  touch(token: string): Promise<boolean>;
  /** Revokes one session; with `userId`, only when that user owns it. */
  revoke(sessionId: string, options?: { userId?: string; reason?: string }): Promise<boolean>;
  /** Revokes every live session of a user, except `except`. Returns how many ended. */
  revokeAll(userId: string, options?: { except?: string; reason?: string }): Promise<number>;
  /** Ends the token's session as LOGGED_OUT. */
  logout(token: string): Promise<boolean>;
  /** Swaps a refresh token for a new token pair, or null. Reusing a rotated-out refresh token revokes the session. */
  refresh(refreshToken: string): Promise<RefreshedSession | null>;
  /** Marks expired sessions and purges old ones in stores without native TTL. Returns how many it touched. */
  cleanup(): Promise<number>;
  /** The devices a user has signed in from (kept beyond their sessions), most recently seen first. */
  listDevices(userId: string): Promise<KnownDevice[]>;
  /** Forgets a known device: its next sign-in counts as new (fires `newDevice`). */
  forgetDevice(userId: string, deviceId: string): Promise<boolean>;
  /**
   * Records a passed step-up verification (e.g. a 2FA challenge) on a live
   * session, for `requireRecentVerification()`. With `userId`, only the owner's.
   */
  markVerified(
    sessionId: string,
    options: { method: string; userId?: string },
  ): Promise<Session | null>;
  /** Subscribes to an event; returns an unsubscribe function. */
  on<E extends SessionEventName>(event: E, handler: SessionEventHandler<E>): () => void;
}

/**
 * Creates the session manager: the one place where session lifecycle decisions
 * (expiry, throttling, limits, geo policy, events) are made.
 *
 * @example
 * const manager = createSessionManager({ store: createMemoryStore(), maxSessionsPerUser: 5 });
 * const { session, token } = await manager.create({ userId: 'u1', headers: request.headers });
 * const current = await manager.validate(token); // Session | null
 */
export function createSessionManager(options: SessionManagerOptions): SessionManager {
  // On Edge every validate() would fail and sign the user out: say so once, here.
  if (isEdgeRuntime()) throw new EdgeRuntimeError('createSessionManager()');
  return new DefaultSessionManager(resolveOptions(options));
}

class DefaultSessionManager implements SessionManager {
  readonly #o: ResolvedOptions;
  readonly #events: SessionEventEmitter;

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.#events = new SessionEventEmitter(options.logger);
  }

  on<E extends SessionEventName>(event: E, handler: SessionEventHandler<E>): () => void {
    if (typeof handler !== 'function') {
      throw new InvalidInputError('on: handler must be a function.');
    }
    if (!SESSION_EVENT_NAMES.includes(event)) {
      throw new InvalidInputError(
        `on: unknown event '${String(event).slice(0, 40)}'. Events: ${SESSION_EVENT_NAMES.join(', ')}.`,
      );
    }
    return this.#events.on(event, handler);
  }

  async create(input: CreateSessionInput): Promise<CreatedSession> {
    const method = 'create';
    if (!input || typeof input !== 'object') {
      throw new InvalidInputError('create: pass an object like { userId, headers }.');
    }
    const userId = checkUserId(method, input.userId);
    const metadata = checkMetadata(method, input.metadata);
    const explicitIp = checkOptionalString(method, 'ipAddress', input.ipAddress);
    const explicitUa = checkOptionalString(method, 'userAgent', input.userAgent);
    const explicitDeviceId = checkOptionalString(method, 'deviceId', input.deviceId);
    if (explicitDeviceId !== undefined && !isDeviceId(explicitDeviceId)) {
      throw new InvalidInputError(
        'create: deviceId must be a device id from createDeviceId() (22–64 URL-safe characters).',
      );
    }
    if (
      input.headers !== undefined &&
      (input.headers === null || typeof input.headers !== 'object')
    ) {
      throw new InvalidInputError(
        'create: headers must be a Headers object or a plain header record.',
      );
    }

    let ipAddress: string | null;
    if (explicitIp !== undefined) {
      ipAddress = normalizeIp(explicitIp);
      if (ipAddress === null) {
        throw new InvalidInputError('create: ipAddress is not a valid IPv4 or IPv6 address.');
      }
    } else {
      ipAddress = getClientIp(input.headers, this.#o.trustProxy);
    }
    const userAgent = truncateUserAgent(explicitUa ?? readHeader(input.headers, 'user-agent'));
    const deviceInfo = parseUserAgent(userAgent);
    const location = await this.#locate(ipAddress);
    this.#checkGeoPolicy(location);

    const nowMs = this.#o.now();
    const now = new Date(nowMs);
    const risk = await this.#assessRisk(userId, now, location);
    const id = createSessionId(userId);
    const token = createToken(id);
    const refreshToken = this.#o.refreshTokens ? createToken(id) : undefined;
    const expiresAt = new Date(nowMs + this.#o.expiresIn);
    const record: SessionRecord = {
      id,
      userId,
      status: 'ACTIVE',
      ipAddress,
      userAgent,
      deviceInfo,
      location,
      createdAt: now,
      lastActivityAt: now,
      expiresAt,
      endedAt: null,
      endReason: null,
      metadata,
      tokenHash: hashToken(token),
      refreshTokenHash: refreshToken === undefined ? null : hashToken(refreshToken),
      retiredRefreshTokenHashes: [],
      deviceKey: deviceFingerprint(
        userId,
        deviceInfo,
        input.headers,
        explicitDeviceId ?? readDeviceIdCookie(input.headers),
      ),
      purgeAt: new Date(expiresAt.getTime() + this.#o.historyRetention),
      risk: risk !== null && this.#o.suspiciousLogin?.policy === 'flag' ? risk : null,
      verification: null,
    };

    const max = this.#o.maxSessionsPerUser;
    const limit =
      max === null
        ? null
        : {
            max,
            onExceed: this.#o.onSessionLimit,
            liveness: this.#liveness(nowMs),
            eviction: this.#transition('REVOKED', 'session_limit', nowMs),
          };
    const result = await this.#call(method, () => this.#o.store.create(record, limit));

    if (result.outcome === 'limit_reached') {
      this.#events.emit('limitExceeded', {
        userId,
        limit: max ?? 0,
        policy: 'reject',
        evicted: [],
      });
      throw new SessionLimitError(max ?? 0);
    }

    const session = toPublicSession(result.session);
    if (result.evicted.length > 0) {
      const evicted = result.evicted.map(toPublicSession);
      for (const ended of evicted) {
        this.#events.emit('revoked', { session: ended, reason: 'session_limit' });
      }
      this.#events.emit('limitExceeded', {
        userId,
        limit: max ?? 0,
        policy: 'revoke-oldest',
        evicted,
      });
    }
    this.#events.emit('created', { session });
    if (!result.knownDevice) {
      this.#events.emit('newDevice', { session: toPublicSession(result.session) });
    }
    if (risk !== null && this.#o.suspiciousLogin) {
      this.#events.emit('suspiciousLogin', {
        userId,
        reasons: [...risk.reasons],
        policy: this.#o.suspiciousLogin.policy,
        session: toPublicSession(result.session),
      });
    }

    return refreshToken === undefined ? { session, token } : { session, token, refreshToken };
  }

  async validate(token: string): Promise<Session | null> {
    // The hot path, written out flat: one hash, one store read, one await
    // unless a touch is due or the session just expired.
    if (!isTokenShaped(token)) return null;
    const tokenHash = hashToken(token);
    let record: SessionRecord | null;
    try {
      record = await this.#o.store.get(sessionIdOfToken(token));
    } catch (error) {
      throw toStoreError('validate', error);
    }
    if (record?.status !== 'ACTIVE' || !hashesEqual(record.tokenHash, tokenHash)) return null;
    const nowMs = this.#o.now();
    if (!isLiveAt(record, nowMs, this.#o.idleTimeout)) {
      await this.#settle(record, nowMs);
      return null;
    }
    const last = record.lastActivityAt.getTime();
    if (last <= nowMs - this.#o.touchInterval && last < nowMs) await this.#touch(record, nowMs);
    return toPublicSession(record);
  }

  async touch(token: string): Promise<boolean> {
    // validate() already records activity (throttled): touch is validate as a boolean.
    return (await this.validate(token)) !== null;
  }

  async get(sessionId: string): Promise<Session | null> {
    const id = checkSessionId('get', sessionId);
    const record = await this.#call('get', () => this.#o.store.get(id));
    if (!record) return null;
    const settled = await this.#settle(record, this.#o.now());
    return toPublicSession(settled);
  }

  async list(
    userId: string,
    options?: { status?: SessionStatus | SessionStatus[] },
  ): Promise<Session[]> {
    const opts = checkOptionsObject('list', options);
    const id = checkUserId('list', userId);
    const wanted = checkStatuses('list', opts.status);
    // Expired-but-not-yet-marked sessions are stored as ACTIVE: fetch ACTIVE whenever EXPIRED is wanted.
    const query =
      wanted.includes('EXPIRED') && !wanted.includes('ACTIVE')
        ? [...wanted, 'ACTIVE' as const]
        : wanted;
    const records = await this.#call('list', () => this.#o.store.listByUser(id, query));
    const nowMs = this.#o.now();
    const settled = await this.#settleAll(records, nowMs);
    return settled
      .filter((r) => wanted.includes(r.status))
      .sort(
        (a, b) =>
          b.lastActivityAt.getTime() - a.lastActivityAt.getTime() ||
          b.createdAt.getTime() - a.createdAt.getTime(),
      )
      .map(toPublicSession);
  }

  async history(userId: string, options?: { limit?: number }): Promise<Session[]> {
    const opts = checkOptionsObject('history', options);
    const id = checkUserId('history', userId);
    const limit = checkLimit('history', opts.limit, DEFAULT_HISTORY_LIMIT);
    const records = await this.#call('history', () =>
      this.#o.store.listByUser(id, ['ACTIVE', ...ENDED_STATUSES]),
    );
    const nowMs = this.#o.now();
    const settled = await this.#settleAll(records, nowMs);
    return settled
      .filter((r) => r.status !== 'ACTIVE' && r.purgeAt.getTime() > nowMs)
      .sort((a, b) => (b.endedAt?.getTime() ?? 0) - (a.endedAt?.getTime() ?? 0))
      .slice(0, limit)
      .map(toPublicSession);
  }

  async revoke(
    sessionId: string,
    options?: { userId?: string; reason?: string },
  ): Promise<boolean> {
    const opts = checkOptionsObject('revoke', options);
    const id = checkSessionId('revoke', sessionId);
    const owner = opts.userId === undefined ? null : checkUserId('revoke', opts.userId);
    const reason = checkReason('revoke', opts.reason, 'revoked_by_user');
    const transition = this.#transition('REVOKED', reason, this.#o.now());
    const ended = await this.#call('revoke', () =>
      this.#o.store.end(id, transition, { userId: owner, tokenHash: null }),
    );
    if (!ended) return false;
    this.#events.emit('revoked', { session: toPublicSession(ended), reason });
    return true;
  }

  async revokeAll(userId: string, options?: { except?: string; reason?: string }): Promise<number> {
    const opts = checkOptionsObject('revokeAll', options);
    const id = checkUserId('revokeAll', userId);
    const except =
      opts.except === undefined ? null : checkSessionId('revokeAll', opts.except, 'except');
    const reason = checkReason('revokeAll', opts.reason, 'revoked_by_user');
    const nowMs = this.#o.now();
    const ended = await this.#call('revokeAll', () =>
      this.#o.store.endAllForUser(id, this.#transition('REVOKED', reason, nowMs), {
        exceptSessionId: except,
        liveness: this.#liveness(nowMs),
      }),
    );
    for (const record of ended) {
      this.#events.emit('revoked', { session: toPublicSession(record), reason });
    }
    return ended.length;
  }

  async logout(token: string): Promise<boolean> {
    if (!isTokenShaped(token)) return false;
    const transition = this.#transition('LOGGED_OUT', 'logged_out', this.#o.now());
    const ended = await this.#call('logout', () =>
      this.#o.store.end(sessionIdOfToken(token), transition, {
        userId: null,
        tokenHash: hashToken(token),
      }),
    );
    if (!ended) return false;
    this.#events.emit('loggedOut', { session: toPublicSession(ended) });
    return true;
  }

  async refresh(refreshToken: string): Promise<RefreshedSession | null> {
    if (!this.#o.refreshTokens) {
      throw new InvalidInputError(
        'refresh: refresh tokens are disabled. Pass refreshTokens: true to createSessionManager to issue them.',
      );
    }
    if (!isTokenShaped(refreshToken)) return null;
    const nowMs = this.#o.now();
    const id = sessionIdOfToken(refreshToken);
    const token = createToken(id);
    const nextRefreshToken = createToken(id);
    const result = await this.#call('refresh', () =>
      this.#o.store.rotateRefreshToken(id, {
        presentedHash: hashToken(refreshToken),
        tokenHash: hashToken(token),
        refreshTokenHash: hashToken(nextRefreshToken),
        at: new Date(nowMs),
        liveness: this.#liveness(nowMs),
        maxRetiredHashes: MAX_RETIRED_REFRESH_HASHES,
        onReuse: this.#transition('REVOKED', 'refresh_token_reuse', nowMs),
      }),
    );
    switch (result.outcome) {
      case 'rotated':
        return { session: toPublicSession(result.session), token, refreshToken: nextRefreshToken };
      case 'reused':
        if (result.revoked) {
          const session = toPublicSession(result.session);
          this.#events.emit('refreshReuse', { session });
          this.#events.emit('revoked', { session, reason: 'refresh_token_reuse' });
        }
        return null;
      case 'inactive':
        await this.#settle(result.session, nowMs);
        return null;
      default:
        return null;
    }
  }

  async listDevices(userId: string): Promise<KnownDevice[]> {
    const id = checkUserId('listDevices', userId);
    const devices = await this.#call('listDevices', () => this.#o.store.listDevices(id));
    const nowMs = this.#o.now();
    return devices
      .filter((d) => d.purgeAt.getTime() > nowMs)
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
      .map(toPublicDevice);
  }

  async forgetDevice(userId: string, deviceId: string): Promise<boolean> {
    const id = checkUserId('forgetDevice', userId);
    if (typeof deviceId !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(deviceId)) {
      throw new InvalidInputError(
        'forgetDevice: deviceId must be a device id from listDevices() (22 URL-safe characters).',
      );
    }
    return this.#call('forgetDevice', () => this.#o.store.forgetDevice(id, deviceId));
  }

  async markVerified(
    sessionId: string,
    options: { method: string; userId?: string },
  ): Promise<Session | null> {
    const id = checkSessionId('markVerified', sessionId);
    const opts = checkOptionsObject('markVerified', options);
    const method = checkReason('markVerified', opts.method, '');
    if (method === '') {
      throw new InvalidInputError("markVerified: pass the factor as options.method, e.g. 'totp'.");
    }
    const owner = opts.userId === undefined ? null : checkUserId('markVerified', opts.userId);
    const nowMs = this.#o.now();
    const updated = await this.#call('markVerified', () =>
      this.#o.store.markVerified(id, {
        verification: { verifiedAt: new Date(nowMs), method },
        liveness: this.#liveness(nowMs),
        userId: owner,
      }),
    );
    if (!updated) return null;
    const session = toPublicSession(updated);
    this.#events.emit('verified', { session, method });
    return session;
  }

  async cleanup(): Promise<number> {
    const nowMs = this.#o.now();
    const result = await this.#call('cleanup', () =>
      this.#o.store.cleanup({
        liveness: this.#liveness(nowMs),
        historyRetentionMs: this.#o.historyRetention,
      }),
    );
    for (const record of result.expired) {
      this.#events.emit('expired', { session: toPublicSession(record) });
    }
    return result.expired.length + result.purged;
  }

  /** One conditional activity write; the store's compare-and-set keeps it to one per interval. */
  async #touch(record: SessionRecord, nowMs: number): Promise<void> {
    const wrote = await this.#call('touch', () =>
      this.#o.store.touch(record.id, {
        at: new Date(nowMs),
        ifLastActivityAtOrBefore: new Date(nowMs - this.#o.touchInterval),
        liveness: this.#liveness(nowMs),
      }),
    );
    if (wrote) record.lastActivityAt = new Date(nowMs);
  }

  /** {@link #settle} for a list, without a promise per record when (as usual) all are live. */
  async #settleAll(records: SessionRecord[], nowMs: number): Promise<SessionRecord[]> {
    const liveness = this.#liveness(nowMs);
    if (records.every((r) => r.status !== 'ACTIVE' || isLive(r, liveness))) return records;
    return Promise.all(records.map((r) => this.#settle(r, nowMs)));
  }

  /**
   * Lazily marks a stored-ACTIVE record that is no longer live as EXPIRED and
   * returns the record as it now stands.
   */
  async #settle(record: SessionRecord, nowMs: number): Promise<SessionRecord> {
    if (record.status !== 'ACTIVE' || isLive(record, this.#liveness(nowMs))) return record;
    const expiry = expiryOf(record, this.#o.idleTimeout);
    const transition: EndTransition = {
      status: 'EXPIRED',
      reason: expiry.reason,
      endedAt: expiry.at,
      purgeAt: new Date(expiry.at.getTime() + this.#o.historyRetention),
    };
    const ended = await this.#call('expire', () =>
      this.#o.store.end(record.id, transition, { userId: null, tokenHash: null }),
    );
    if (ended) {
      this.#events.emit('expired', { session: toPublicSession(ended) });
      return ended;
    }
    // Someone else ended it first (revoked, logged out, or another reader): show what is stored.
    const current = await this.#call('expire', () => this.#o.store.get(record.id));
    return current ?? { ...record, ...transition };
  }

  /** Suspicious-login signals against the user's retained sessions; throws under 'reject'. */
  async #assessRisk(
    userId: string,
    now: Date,
    location: SessionLocation | null,
  ): Promise<SessionRisk | null> {
    const options = this.#o.suspiciousLogin;
    if (options === null) return null;
    const prior = await this.#call('create', () =>
      this.#o.store.listByUser(userId, ['ACTIVE', ...ENDED_STATUSES]),
    );
    const reasons = assessLogin({ at: now, location }, prior, options);
    if (reasons.length === 0) return null;
    if (options.policy === 'reject') {
      this.#events.emit('suspiciousLogin', { userId, reasons, policy: 'reject', session: null });
      throw new SuspiciousLoginError(reasons);
    }
    return { reasons };
  }

  async #locate(ipAddress: string | null): Promise<SessionLocation | null> {
    if (ipAddress === null || this.#o.geo === null) return null;
    try {
      const location = await this.#o.geo(ipAddress);
      if (!location || typeof location !== 'object') return null;
      const field = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 100) : null);
      const country = field(location.country);
      const resolved: SessionLocation = {
        country: country === null ? null : country.toUpperCase(),
        region: field(location.region),
        city: field(location.city),
      };
      const { latitude, longitude } = location;
      if (
        typeof latitude === 'number' &&
        typeof longitude === 'number' &&
        Math.abs(latitude) <= 90 &&
        Math.abs(longitude) <= 180
      ) {
        resolved.latitude = latitude;
        resolved.longitude = longitude;
      }
      return resolved;
    } catch (error) {
      this.#o.logger.warn(
        `[sessionkit] geo lookup failed; the location is recorded as unknown: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    }
  }

  #checkGeoPolicy(location: SessionLocation | null): void {
    const policy = this.#o.geoPolicy;
    if (policy === null) return;
    const country = location?.country ?? null;
    if (country === null) {
      if (policy.allow !== null && !policy.allowUnknown) throw new GeoBlockedError(null);
      return;
    }
    if (policy.block.has(country) || (policy.allow !== null && !policy.allow.has(country))) {
      throw new GeoBlockedError(country);
    }
  }

  #liveness(nowMs: number): Liveness {
    return { now: new Date(nowMs), idleTimeoutMs: this.#o.idleTimeout };
  }

  #transition(status: EndTransition['status'], reason: string, nowMs: number): EndTransition {
    return {
      status,
      reason,
      endedAt: new Date(nowMs),
      purgeAt: new Date(nowMs + this.#o.historyRetention),
    };
  }

  /** Runs a store call; any failure becomes SessionStoreError so callers fail closed. */
  #call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return fn().then(undefined, (error: unknown) => {
        throw toStoreError(operation, error);
      });
    } catch (error) {
      return Promise.reject(toStoreError(operation, error));
    }
  }
}

function toStoreError(operation: string, error: unknown): SessionStoreError {
  return error instanceof SessionStoreError ? error : new SessionStoreError(operation, error);
}
