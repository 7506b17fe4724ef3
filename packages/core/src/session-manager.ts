import {
  clearClaimsRefresh,
  type RequestRefreshTarget,
  requestClaimsRefresh,
} from './claims-refresh.js';
import type { HeadersLike } from './client-ip.js';
import { createSession } from './create-session.js';
import { forgetDevice, listDevices } from './device-identity.js';
import {
  cleanupSessions,
  logoutSession,
  revokeAllSessions,
  revokeSession,
} from './end-sessions.js';
import { InvalidInputError } from './errors.js';
import {
  SESSION_EVENT_NAMES,
  SessionEventEmitter,
  type SessionEventHandler,
  type SessionEventName,
} from './events.js';
import {
  endFederatedSessions,
  type FederatedLogout,
  getSessionOrigin,
  recordSessionOrigin,
} from './federated-sessions.js';
import { checkOptionsObject, checkReason, checkSessionId, checkUserId } from './input.js';
import { listHistory, listSessionPage } from './list-sessions.js';
import { ManagerContext, toStoreError } from './manager-context.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import {
  type CompletePendingSignInInput,
  checkSessionLimit,
  getPendingSignIn,
  type PendingSignIn,
  readHeldCompletion,
} from './pending-sign-in.js';
import { refreshSession } from './refresh-session.js';
import { EdgeRuntimeError, isEdgeRuntime } from './runtime.js';
import type { KnownDevice, Session, SessionStatus } from './session.js';
import { toPublicSession } from './session-record.js';
import { isLiveAt, type SessionOrigin, type SessionRecord } from './session-store.js';
import { hashesEqual, hashToken, isTokenShaped, sessionIdOfToken, userShard } from './token.js';

// The SessionManager interface and its factory. Each job lives in a file named
// for it: create-session.ts (sign-in, in named steps), list-sessions.ts,
// end-sessions.ts, refresh-session.ts, device-identity.ts, sign-in-risk.ts and
// geo.ts; manager-context.ts holds what they share. validate() stays here: it
// is the hot path, written out flat.

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
  /**
   * `limitPolicy: 'ask'` only: data kept with a held sign-in (same rules as
   * `metadata`) and handed back by `getPendingSignIn()`, e.g. the profile the
   * integration needs to finish the sign-in. Not stored on the session.
   */
  pendingData?: Record<string, unknown>;
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

/** Options of {@link SessionManager.validate}. */
export interface ValidateOptions {
  /**
   * Keeps the request alive until a background activity write settles: Next's
   * `after` (next/server, Next ≥ 15), Vercel's or Cloudflare's `waitUntil`.
   * Without it, the write runs as a plain background promise. Only used with
   * `activityWrites: 'background'`.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * Called, instead of answering a session, when the token is the current token
   * of a session that has ended (or just expired): with the stored end reason, so
   * the integration can tell this device why (see `publicEndReason`). Never
   * called for an unknown token, nor for a token the session no longer holds,
   * so it reveals nothing about any other session. Costs no extra store call.
   */
  onEnded?: (ended: { reason: string; endedAt: Date }) => void;
}

export interface SessionManager {
  /**
   * Creates a session. Throws `SessionLimitError` (under `limitPolicy: 'ask'`
   * naming the held sign-in), `GeoBlockedError`, `InvalidInputError` or `SessionStoreError`.
   */
  create(input: CreateSessionInput): Promise<CreatedSession>;
  /**
   * Whether a sign-in of this user would find room now: resolves when it would
   * (always under `'revoke-oldest'`); throws `SessionLimitError` under
   * `'reject'`, and under `'ask'` after holding the sign-in (the error names it).
   * Integrations call it before their own sign-in completes, to send the browser
   * to the picker; create() still enforces the limit atomically.
   */
  checkSessionLimit(input: {
    userId: string;
    metadata?: Record<string, unknown>;
    pendingData?: Record<string, unknown>;
  }): Promise<void>;
  /** A held sign-in (`limitPolicy: 'ask'`) and the user's live sessions to choose from, or null when unknown, expired or completed. */
  getPendingSignIn(pendingSignInId: string): Promise<PendingSignIn | null>;
  /**
   * Completes a held sign-in: ends `endSessionId` (one of the user's live
   * sessions, reason `'revoked_by_user'`) and creates the held session in one
   * atomic store step, so concurrent choices never exceed the limit. Single use.
   * Throws `PendingSignInError` (`PENDING_SIGN_IN_NOT_FOUND`: sign in again;
   * `PENDING_SIGN_IN_CHOICE`: choose another session, still held).
   */
  completePendingSignIn(
    pendingSignInId: string,
    input: CompletePendingSignInInput,
  ): Promise<CreatedSession & { data: Record<string, unknown> }>;
  /**
   * The live session a token belongs to, or null (unknown, malformed, ended or
   * expired). Records activity, throttled by `touchInterval`: off the request
   * path by default (see the `activityWrites` option and {@link ValidateOptions}).
   */
  validate(token: string, options?: ValidateOptions): Promise<Session | null>;
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
  /**
   * Records activity for a token's session (throttled by `touchInterval`) and
   * waits for the write; false when it is not live.
   */
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
  /**
   * Asks for sessions' claims (roles, profile) to be reloaded without signing
   * anyone out: every live session of a user (`requestRefresh('u1')`) or one
   * (`requestRefresh({ sessionId })`, with `userId` only the owner's). Their
   * next `validate()` carries `refreshRequestedAt`; `withSessionTracking`'s
   * `refreshClaims` then reloads them once. One store call. Returns how many
   * sessions were marked.
   */
  requestRefresh(target: RequestRefreshTarget): Promise<number>;
  /**
   * Clears a session's refresh mark once its claims were reloaded, unless a
   * newer request arrived meanwhile (pass the `refreshRequestedAt` you acted on).
   */
  clearRefreshRequest(sessionId: string, requestedAt: Date): Promise<boolean>;
  /**
   * Remembers, server-side, which OpenID provider session a live session came
   * from (issuer, subject, `sid`, and optionally the ID token for RP-initiated
   * logout), so the provider can end it: see {@link endFederatedSessions}.
   * Never part of the public `Session`. Returns false when the session is not live.
   */
  recordOrigin(sessionId: string, origin: SessionOrigin): Promise<boolean>;
  /** The origin recorded for an ACTIVE session, or null. */
  getOrigin(sessionId: string): Promise<SessionOrigin | null>;
  /**
   * Back-channel logout: ends (REVOKED, reason `'idp_logout'`) every live
   * session linked to the provider session `sid` of `issuer`, or with only
   * `sub`, every session of that subject from `issuer`; in bounded batches, a
   * `revoked` event per session. Returns how many ended.
   */
  endFederatedSessions(logout: FederatedLogout): Promise<number>;
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

/** Tells {@link ValidateOptions.onEnded} why the token's own session ended. */
function reportEnded(
  record: SessionRecord,
  onEnded: NonNullable<ValidateOptions['onEnded']>,
): void {
  if (record.status === 'ACTIVE' || record.endedAt === null) return;
  onEnded({ reason: record.endReason ?? 'ended', endedAt: record.endedAt });
}

class DefaultSessionManager implements SessionManager {
  readonly #ctx: ManagerContext;

  constructor(options: ResolvedOptions) {
    const events = new SessionEventEmitter(options.logger);
    this.#ctx = new ManagerContext(options, events);
    const { secret } = options.keys;
    // Partitioned stores put a user's keys in the slot of the user's session ids;
    // the others ignore it (a required no-op, see SessionStore.bindUserShard).
    options.store.bindUserShard((userId) => userShard(userId, secret));
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
    return this.#ctx.events.on(event, handler);
  }

  create(input: CreateSessionInput): Promise<CreatedSession> {
    return createSession(this.#ctx, input);
  }

  async checkSessionLimit(
    input: Parameters<SessionManager['checkSessionLimit']>[0],
  ): Promise<void> {
    return checkSessionLimit(this.#ctx, input);
  }

  async getPendingSignIn(pendingSignInId: string): Promise<PendingSignIn | null> {
    return getPendingSignIn(this.#ctx, pendingSignInId);
  }

  async completePendingSignIn(
    pendingSignInId: string,
    input: CompletePendingSignInInput,
  ): Promise<CreatedSession & { data: Record<string, unknown> }> {
    const held = await readHeldCompletion(this.#ctx, pendingSignInId, input);
    const created = await createSession(
      this.#ctx,
      {
        userId: held.userId,
        ...(input.headers === undefined ? {} : { headers: input.headers }),
        ...(input.ipAddress === undefined ? {} : { ipAddress: input.ipAddress }),
        ...(input.userAgent === undefined ? {} : { userAgent: input.userAgent }),
        ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
      },
      held,
    );
    return { ...created, data: held.data };
  }

  validate(token: string, options?: ValidateOptions): Promise<Session | null> {
    return this.#validate(
      token,
      this.#ctx.o.activityWrites === 'await',
      options?.waitUntil,
      options?.onEnded,
    );
  }

  async #validate(
    token: string,
    awaitWrite: boolean,
    waitUntil: ValidateOptions['waitUntil'],
    onEnded?: ValidateOptions['onEnded'],
  ): Promise<Session | null> {
    // The hot path, written out flat: one hash, one store read, one await
    // unless the session just expired (or a touch is due and awaited).
    if (!isTokenShaped(token)) return null;
    const o = this.#ctx.o;
    const tokenHash = hashToken(token);
    let record: SessionRecord | null;
    try {
      record = await o.store.get(sessionIdOfToken(token));
    } catch (error) {
      throw toStoreError('validate', error);
    }
    if (record?.status !== 'ACTIVE' || !hashesEqual(record.tokenHash, tokenHash)) {
      if (onEnded && record && hashesEqual(record.tokenHash, tokenHash))
        reportEnded(record, onEnded);
      return null;
    }
    const nowMs = o.now();
    if (!isLiveAt(record, nowMs, o.idleTimeout)) {
      const settled = await this.#ctx.settle(record, nowMs);
      if (onEnded) reportEnded(settled, onEnded);
      return null;
    }
    const last = record.lastActivityAt.getTime();
    if (last <= nowMs - o.touchInterval && last < nowMs) {
      if (awaitWrite) await this.#touch(record, nowMs);
      else this.#touchInBackground(record, nowMs, waitUntil);
    }
    return toPublicSession(record);
  }

  async touch(token: string): Promise<boolean> {
    // validate() records activity (throttled): touch is validate as a boolean,
    // always waiting for the write.
    return (await this.#validate(token, true, undefined)) !== null;
  }

  async get(sessionId: string): Promise<Session | null> {
    const id = checkSessionId('get', sessionId);
    const record = await this.#ctx.call('get', () => this.#ctx.o.store.get(id));
    if (!record) return null;
    const settled = await this.#ctx.settle(record, this.#ctx.o.now());
    return toPublicSession(settled);
  }

  async list(userId: string, options?: SessionListOptions): Promise<Session[]> {
    return (await listSessionPage(this.#ctx, 'list', userId, options)).sessions;
  }

  listPage(userId: string, options?: SessionListOptions): Promise<SessionPage> {
    return listSessionPage(this.#ctx, 'listPage', userId, options);
  }

  history(userId: string, options?: { limit?: number }): Promise<Session[]> {
    return listHistory(this.#ctx, userId, options);
  }

  revoke(sessionId: string, options?: { userId?: string; reason?: string }): Promise<boolean> {
    return revokeSession(this.#ctx, sessionId, options);
  }

  revokeAll(userId: string, options?: { except?: string; reason?: string }): Promise<number> {
    return revokeAllSessions(this.#ctx, userId, options);
  }

  logout(token: string): Promise<boolean> {
    return logoutSession(this.#ctx, token);
  }

  refresh(refreshToken: string): Promise<RefreshedSession | null> {
    return refreshSession(this.#ctx, refreshToken);
  }

  cleanup(): Promise<number> {
    return cleanupSessions(this.#ctx);
  }

  listDevices(userId: string): Promise<KnownDevice[]> {
    return listDevices(this.#ctx, userId);
  }

  forgetDevice(userId: string, deviceId: string): Promise<boolean> {
    return forgetDevice(this.#ctx, userId, deviceId);
  }

  requestRefresh(target: RequestRefreshTarget): Promise<number> {
    return requestClaimsRefresh(this.#ctx, target);
  }

  clearRefreshRequest(sessionId: string, requestedAt: Date): Promise<boolean> {
    return clearClaimsRefresh(this.#ctx, sessionId, requestedAt);
  }

  recordOrigin(sessionId: string, origin: SessionOrigin): Promise<boolean> {
    return recordSessionOrigin(this.#ctx, sessionId, origin);
  }

  getOrigin(sessionId: string): Promise<SessionOrigin | null> {
    return getSessionOrigin(this.#ctx, sessionId);
  }

  endFederatedSessions(logout: FederatedLogout): Promise<number> {
    return endFederatedSessions(this.#ctx, logout);
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
    const nowMs = this.#ctx.o.now();
    const updated = await this.#ctx.call('markVerified', () =>
      this.#ctx.o.store.markVerified(id, {
        verification: { verifiedAt: new Date(nowMs), method },
        liveness: this.#ctx.liveness(nowMs),
        userId: owner,
      }),
    );
    if (!updated) return null;
    const session = toPublicSession(updated);
    this.#ctx.events.emit('verified', { session, method });
    return session;
  }

  /**
   * The activity write off the request path. The session is answered as active
   * now (as an awaited write would have made it); the write is one store call,
   * bounded by the store's own timeout, after which nothing more runs. A failure
   * is logged (redacted like every SessionStoreError) and changes no answer.
   */
  #touchInBackground(
    record: SessionRecord,
    nowMs: number,
    waitUntil: ValidateOptions['waitUntil'],
  ): void {
    const { logger } = this.#ctx.o;
    const write = this.#touch({ ...record }, nowMs).catch((error: unknown) => {
      logger.warn(
        `[sessionkit] a background activity write failed; the session stays valid: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    record.lastActivityAt = new Date(nowMs);
    if (waitUntil === undefined) return;
    try {
      waitUntil(write);
    } catch (error) {
      // Outside a request scope (e.g. after() in a script): the write still runs.
      logger.warn(
        `[sessionkit] waitUntil refused the activity write; it runs in the background: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** One conditional activity write; the store's compare-and-set keeps it to one per interval. */
  async #touch(record: SessionRecord, nowMs: number): Promise<void> {
    const o = this.#ctx.o;
    const wrote = await this.#ctx.call('touch', () =>
      o.store.touch(record.id, {
        at: new Date(nowMs),
        ifLastActivityAtOrBefore: new Date(nowMs - o.touchInterval),
        liveness: this.#ctx.liveness(nowMs),
      }),
    );
    if (wrote) record.lastActivityAt = new Date(nowMs);
  }
}
