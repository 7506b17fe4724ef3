import { getClientIp, type HeadersLike, normalizeIp, readHeader } from './client-ip.js';
import {
  createDeviceId,
  deviceFingerprint,
  isDeviceId,
  legacyCookieFingerprint,
  readDeviceIdCookie,
} from './device.js';
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
import { decodeCursor, encodeCursor, type ListPosition } from './list-cursor.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { createRefreshToken, isGenuineRefreshToken, parseRefreshToken } from './refresh-token.js';
import { assessLogin } from './risk.js';
import { EdgeRuntimeError, isEdgeRuntime } from './runtime.js';
import {
  type DeviceInfo,
  ENDED_STATUSES,
  type EndedSessionStatus,
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
  type PageCursor,
  type SessionRecord,
} from './session-store.js';
import {
  createSessionId,
  createToken,
  hashesEqual,
  hashToken,
  isTokenShaped,
  sessionIdOfToken,
  userShard,
} from './token.js';
import { parseUserAgent, truncateUserAgent } from './user-agent.js';

// Rotated-out refresh hashes the store keeps per session: reuse of these is
// recognised in one store call (and legacy refresh tokens, which carry no
// generation, rely on them). Older generations are recognised by their tag.
const MAX_RETIRED_REFRESH_HASHES = 20;
const DEFAULT_HISTORY_LIMIT = 50;
// Bounded per-user work: every store call examines at most this many records.
const PAGE_SIZE = 100;
// Sessions one revokeAll batch examines: each ends in its own atomic write
// inside the batch, so a batch costs about 25× one revoke (about a millisecond in
// Redis, measured in bench/redis-attack.bench.mjs).
const REVOKE_BATCH = 25;
// Ended sessions kept per user (oldest dropped first) and known devices per user.
const HISTORY_CAP = 1000;
const DEVICE_CAP = 100;
// Records of each kind (newest live, most recently ended) the suspicious-login check reads.
const RISK_WINDOW = 100;

/** Options of {@link SessionManager.list} and {@link SessionManager.listPage}. */
export interface SessionListOptions {
  /** Statuses to list. @default 'ACTIVE' */
  status?: SessionStatus | SessionStatus[];
  /** Page size, 1–100. @default 100 */
  limit?: number;
  /** The `nextCursor` of the previous page; omit for the first page. */
  cursor?: string;
}

/** One page of a user's sessions. */
export interface SessionPage {
  /** This page, most recent activity first. */
  sessions: Session[];
  /** Pass as `cursor` for the next page; null on the last page. Opaque, URL-safe. */
  nextCursor: string | null;
}

export interface CreateSessionInput {
  userId: string;
  /** Request headers: the user agent and (per `trustProxy`) the client IP are read from them. */
  headers?: HeadersLike;
  /** Client IP; overrides what `headers` say. */
  ipAddress?: string;
  /** User agent; overrides what `headers` say. */
  userAgent?: string;
  /**
   * Your own data, a plain JSON object of at most 8 KB, nested at most 32
   * levels, with no key containing a NUL character or starting with `$`
   * (`InvalidInputError` otherwise: not every store can keep such keys).
   */
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
  /**
   * The browser's device id from now on: set it as the device-id cookie
   * (`createDeviceIdCookie(deviceId, { secure })`). It changes on every sign-in;
   * the id presented with this one is no longer recognised.
   */
  deviceId: string;
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
  /**
   * One page (100 by default) of a user's sessions, ACTIVE by default, most
   * recent activity first: `listPage(...).sessions`. A user within the default
   * `maxSessionsPerUser` has one page.
   */
  list(userId: string, options?: SessionListOptions): Promise<Session[]>;
  /**
   * A page of a user's sessions and the cursor of the next one. Pages follow a
   * stable order (ACTIVE sessions newest first by their immutable `expiresAt`,
   * then ended ones by `endedAt`): walking every page lists each session that
   * keeps its status exactly once, whatever is created or ended meanwhile.
   */
  listPage(userId: string, options?: SessionListOptions): Promise<SessionPage>;
  /** A user's ended sessions, most recently ended first. */
  history(userId: string, options?: { limit?: number }): Promise<Session[]>;
  /** Records activity for a token's session (throttled by `touchInterval`); false when it is not live. */
  touch(token: string): Promise<boolean>;
  /** Revokes one session; with `userId`, only when that user owns it. */
  revoke(sessionId: string, options?: { userId?: string; reason?: string }): Promise<boolean>;
  /**
   * Revokes every live session of a user that exists when the call begins,
   * except `except`, in bounded batches (a `revoked` event per session as each
   * batch ends). Returns how many ended.
   */
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
  readonly #shardOf: (userId: string) => string;

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.#events = new SessionEventEmitter(options.logger);
    const { secret } = options.keys;
    this.#shardOf = (userId) => userShard(userId, secret);
    // Partitioned stores put a user's keys in the slot of the user's session ids.
    if (typeof options.store.bindUserShard === 'function') {
      options.store.bindUserShard(this.#shardOf);
    }
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
    const device = this.#deviceKeys(
      userId,
      deviceInfo,
      input.headers,
      explicitDeviceId ?? readDeviceIdCookie(input.headers),
    );
    const id = createSessionId(userId, this.#o.keys.secret);
    const token = createToken(id);
    const refreshToken = this.#o.refreshTokens
      ? createRefreshToken(this.#o.keys.refreshKey, id, 0)
      : undefined;
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
      deviceKey: device.key,
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
    const result = await this.#call(method, () =>
      this.#o.store.create(record, limit, {
        deviceCap: DEVICE_CAP,
        previousDeviceKeys: device.previous,
      }),
    );

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

    const deviceId = device.nextId;
    return refreshToken === undefined
      ? { session, token, deviceId }
      : { session, token, refreshToken, deviceId };
  }

  /**
   * The known-device key of this sign-in and the keys it was recognised by.
   * A presented device id is never kept: the device gets a new one (returned
   * by create() for the cookie) and its entry moves to the new key, so an id
   * that was learned or planted stops being recognised at the owner's next
   * sign-in. Without an id the look-alike traits key is used as before.
   */
  #deviceKeys(
    userId: string,
    deviceInfo: DeviceInfo,
    headers: HeadersLike | undefined,
    presented: string | null,
  ): { key: string; previous: string[]; nextId: string } {
    const nextId = createDeviceId();
    const traits = deviceFingerprint(userId, deviceInfo, headers, null);
    if (presented === null) return { key: traits, previous: [], nextId };
    return {
      key: deviceFingerprint(userId, deviceInfo, headers, nextId),
      previous: [
        deviceFingerprint(userId, deviceInfo, headers, presented),
        legacyCookieFingerprint(userId, presented),
        traits,
      ],
      nextId,
    };
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

  async list(userId: string, options?: SessionListOptions): Promise<Session[]> {
    return (await this.#listPage('list', userId, options)).sessions;
  }

  listPage(userId: string, options?: SessionListOptions): Promise<SessionPage> {
    return this.#listPage('listPage', userId, options);
  }

  async #listPage(
    method: string,
    userId: string,
    options: SessionListOptions | undefined,
  ): Promise<SessionPage> {
    const opts = checkOptionsObject(method, options);
    const id = checkUserId(method, userId);
    const wanted = checkStatuses(method, opts.status);
    const limit = checkLimit(method, opts.limit, PAGE_SIZE, PAGE_SIZE);
    const ended = ENDED_STATUSES.filter((s) => wanted.includes(s));
    // Expired-but-not-yet-marked sessions are stored as ACTIVE: walk the ACTIVE
    // part whenever EXPIRED is wanted, to mark them (they then show in the ended part).
    const walkActive = wanted.includes('ACTIVE') || wanted.includes('EXPIRED');
    let position: ListPosition | null = decodeCursor(method, opts.cursor) ?? {
      part: walkActive ? 'a' : 'e',
      after: null,
    };
    const sessions: SessionRecord[] = [];
    const nowMs = this.#o.now();

    if (position?.part === 'a') {
      const after = position.after;
      const page = walkActive
        ? await this.#call(method, () => this.#o.store.listActive(id, { limit, after }))
        : { records: [], next: null };
      const settled = await this.#settleAll(ownedBy(id, page.records), nowMs);
      // Only still-ACTIVE ones: a record marked EXPIRED just now is listed by the ended part.
      if (wanted.includes('ACTIVE')) sessions.push(...settled.filter((r) => r.status === 'ACTIVE'));
      position = page.next !== null ? { part: 'a', after: page.next } : { part: 'e', after: null };
    }
    if (position?.part === 'e' && ended.length === 0) position = null;
    // The ended part starts on this page only while it has room left.
    if (position?.part === 'e' && sessions.length < limit) {
      const after = position.after;
      const page = await this.#call(method, () =>
        this.#o.store.listEnded(id, { statuses: ended, limit: limit - sessions.length, after }),
      );
      sessions.push(
        ...ownedBy(id, page.records).filter(
          (r) => ended.includes(r.status as EndedSessionStatus) && r.purgeAt.getTime() > nowMs,
        ),
      );
      position = page.next === null ? null : { part: 'e', after: page.next };
    }
    sessions.sort(
      (a, b) =>
        b.lastActivityAt.getTime() - a.lastActivityAt.getTime() ||
        b.createdAt.getTime() - a.createdAt.getTime(),
    );
    return {
      sessions: sessions.map(toPublicSession),
      nextCursor: position === null ? null : encodeCursor(position),
    };
  }

  async history(userId: string, options?: { limit?: number }): Promise<Session[]> {
    const opts = checkOptionsObject('history', options);
    const id = checkUserId('history', userId);
    const limit = checkLimit('history', opts.limit, DEFAULT_HISTORY_LIMIT);
    const nowMs = this.#o.now();
    // Sessions that expired by time but that nobody read since are still stored
    // ACTIVE: mark those among the newest page (all of them for a user within the
    // default limit) so that history shows them. One bounded read.
    const active = await this.#call('history', () =>
      this.#o.store.listActive(id, { limit: PAGE_SIZE, after: null }),
    );
    await this.#settleAll(ownedBy(id, active.records), nowMs);
    const out: SessionRecord[] = [];
    let after: PageCursor | null = null;
    // Bounded store calls of at most PAGE_SIZE records each, newest ended first.
    do {
      const page = await this.#call('history', () =>
        this.#o.store.listEnded(id, {
          statuses: ENDED_STATUSES,
          limit: Math.min(PAGE_SIZE, limit - out.length),
          after,
        }),
      );
      out.push(...ownedBy(id, page.records).filter((r) => r.purgeAt.getTime() > nowMs));
      after = page.next;
    } while (after !== null && out.length < limit);
    return out.slice(0, limit).map(toPublicSession);
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
    const transition = this.#transition('REVOKED', reason, nowMs);
    const liveness = this.#liveness(nowMs);
    const createdAtOrBefore = new Date(nowMs);
    let count = 0;
    let after: PageCursor | null = null;
    // Bounded batches, so no single store command holds the database for long
    // however many sessions the user has; each batch's sessions are announced
    // before the next is fetched, so memory stays bounded too.
    do {
      const batch = await this.#call('revokeAll', () =>
        this.#o.store.endAllForUser(id, transition, {
          exceptSessionId: except,
          liveness,
          createdAtOrBefore,
          limit: REVOKE_BATCH,
          after,
        }),
      );
      for (const record of ownedBy(id, batch.ended)) {
        count++;
        this.#events.emit('revoked', { session: toPublicSession(record), reason });
      }
      after = batch.next;
    } while (after !== null);
    return count;
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
    const parsed = parseRefreshToken(refreshToken);
    if (parsed === null) return null;
    const nowMs = this.#o.now();
    const id = parsed.sessionId;
    const token = createToken(id);
    // A legacy token (issued before generations) rotates into generation 1.
    const nextRefreshToken = createRefreshToken(
      this.#o.keys.refreshKey,
      id,
      (parsed.generation ?? 0) + 1,
    );
    const onReuse = this.#transition('REVOKED', 'refresh_token_reuse', nowMs);
    const result = await this.#call('refresh', () =>
      this.#o.store.rotateRefreshToken(id, {
        presentedHash: hashToken(refreshToken),
        tokenHash: hashToken(token),
        refreshTokenHash: hashToken(nextRefreshToken),
        at: new Date(nowMs),
        liveness: this.#liveness(nowMs),
        maxRetiredHashes: MAX_RETIRED_REFRESH_HASHES,
        onReuse,
      }),
    );
    switch (result.outcome) {
      case 'rotated':
        return { session: toPublicSession(result.session), token, refreshToken: nextRefreshToken };
      case 'reused':
        if (result.revoked) this.#emitReuse(result.session);
        return null;
      case 'inactive':
        await this.#settle(result.session, nowMs);
        return null;
      default:
        // Neither current nor among the store's recent retired hashes. A token
        // whose tag proves we issued it for this session is an older
        // generation: reuse, however many rotations happened since.
        if (
          parsed.generation !== null &&
          isGenuineRefreshToken(this.#o.keys.refreshKey, refreshToken)
        ) {
          await this.#revokeForReuse(id, onReuse, nowMs);
        }
        return null;
    }
  }

  /** Ends a session whose older refresh token came back, unless it is already dead. */
  async #revokeForReuse(id: string, onReuse: EndTransition, nowMs: number): Promise<void> {
    const record = await this.#call('refresh', () => this.#o.store.get(id));
    // An expired or ended session is not relabelled and fires nothing.
    if (record === null || record.refreshTokenHash === null) return;
    if (!isLiveAt(record, nowMs, this.#o.idleTimeout)) return;
    const ended = await this.#call('refresh', () =>
      this.#o.store.end(id, onReuse, { userId: null, tokenHash: null }),
    );
    if (ended) this.#emitReuse(ended);
  }

  #emitReuse(record: SessionRecord): void {
    const session = toPublicSession(record);
    this.#events.emit('refreshReuse', { session });
    this.#events.emit('revoked', { session, reason: 'refresh_token_reuse' });
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
      historyCap: HISTORY_CAP,
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
    // A bounded recent window: the newest live sessions and the most recently ended ones.
    const [active, ended] = await this.#call('create', () =>
      Promise.all([
        this.#o.store.listActive(userId, { limit: RISK_WINDOW, after: null }),
        this.#o.store.listEnded(userId, {
          statuses: ENDED_STATUSES,
          limit: RISK_WINDOW,
          after: null,
        }),
      ]),
    );
    const prior = ownedBy(userId, [...active.records, ...ended.records]);
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
      historyCap: HISTORY_CAP,
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

/** Defence in depth: a store must never hand back another user's record; drop any that it does. */
function ownedBy(userId: string, records: SessionRecord[]): SessionRecord[] {
  return records.every((r) => r.userId === userId)
    ? records
    : records.filter((r) => r.userId === userId);
}

function toStoreError(operation: string, error: unknown): SessionStoreError {
  return error instanceof SessionStoreError ? error : new SessionStoreError(operation, error);
}
