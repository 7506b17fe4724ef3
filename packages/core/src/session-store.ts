import type {
  EndedSessionStatus,
  KnownDevice,
  Session,
  SessionRisk,
  SessionVerification,
} from './session.js';

/**
 * What a store persists for one session: the public {@link Session} plus the
 * hashes of its secrets. Stores never see a raw token.
 */
export interface SessionRecord
  extends Omit<Session, 'risk' | 'verification' | 'refreshRequestedAt' | 'verificationRequired'> {
  /** Risk signals recorded at sign-in, or null. */
  risk: SessionRisk | null;
  /** The last step-up verification, or null. */
  verification: SessionVerification | null;
  /**
   * When `requestRefresh` last asked for this session's claims to be reloaded,
   * or null when nothing is pending (see {@link SessionStore.requestRefresh}).
   */
  refreshRequestedAt: Date | null;
  /** SHA-256 (base64url) of the current session token. */
  tokenHash: string;
  /** SHA-256 (base64url) of the current refresh token; null when refresh tokens are off. */
  refreshTokenHash: string | null;
  /**
   * SHA-256 hashes of refresh tokens already rotated out of this session, oldest
   * first. Presenting one of them again is reuse.
   */
  retiredRefreshTokenHashes: string[];
  /** Fingerprint of the device that created the session (`KnownDevice.id`); used to spot new devices. */
  deviceKey: string;
  /**
   * When the store may delete the record outright. Live sessions: `expiresAt +
   * historyRetention`; ended ones: `endedAt + historyRetention`. Stores with a
   * native TTL (Redis key expiry, Mongo TTL index) expire records on it.
   */
  purgeAt: Date;
  /**
   * When the refresh pair was last rotated (`RefreshRotation.at`); null or
   * absent before the first rotation and on records stored before it existed.
   * Decides the reuse grace window (see {@link RefreshRotation.reuseGraceSince}).
   */
  refreshRotatedAt?: Date | null;
  /**
   * Set at sign-in under `suspiciousLogin.policy: 'challenge'`: the sign-in was
   * risky and came from a device not trusted yet. The challenge is pending while
   * `verification` is null. Absent: false. Written by create() only.
   */
  verificationRequired?: boolean;
  /**
   * Set at sign-in when the device presented was trusted (a verified session
   * created on it before, and the device not forgotten since), so the trust
   * carries over to the device id this sign-in rotates it to. Absent: false.
   */
  trustedDevice?: boolean;
}

/**
 * The moment against which a store decides whether an ACTIVE record is still
 * live. Core computes it; stores only evaluate it (see {@link isLive}).
 */
export interface Liveness {
  now: Date;
  /** Idle timeout in ms, or null when sessions never idle out. */
  idleTimeoutMs: number | null;
}

/** How a store ends a session: the transition to write, conditional on ACTIVE. */
export interface EndTransition {
  status: EndedSessionStatus;
  reason: string;
  endedAt: Date;
  /** New purge time: `endedAt + historyRetention`. */
  purgeAt: Date;
  /**
   * The most ended records the store keeps for the session's user. After the
   * transition, ended records of that user beyond the `historyCap` most recently
   * ended ones are deleted (oldest `endedAt` first), so history stays bounded
   * whatever a user accumulates. Time-based retention (`purgeAt`) still applies.
   */
  historyCap: number;
}

/**
 * A position in one of a user's listings: the sort key of the last record a
 * page examined. Listings order by an immutable key, so a cursor never skips or
 * repeats a record that stays in the listing (see {@link SessionStore.listActive}).
 */
export interface PageCursor {
  /** `expiresAt` (active listing) or `endedAt` (ended listing) of that record. */
  at: Date;
  id: string;
}

export interface PageQuery {
  /** Most records to examine in this call (1–1000). */
  limit: number;
  /** Start after this position; null: from the beginning. */
  after: PageCursor | null;
}

export interface RecordPage {
  /** At most `limit` records, in listing order; all of the asked user. */
  records: SessionRecord[];
  /**
   * Position of the last record examined, when more may follow; null when the
   * listing is exhausted. A page may hold fewer than `limit` records (even none)
   * while `next` is not null.
   */
  next: PageCursor | null;
}

/** One bounded batch of {@link SessionStore.endAllForUser}. */
export interface EndAllBatch {
  exceptSessionId: string | null;
  liveness: Liveness;
  /** Only sessions created at or before this instant (when the revokeAll call began) are ended. */
  createdAtOrBefore: Date;
  /** Most stored-ACTIVE records to examine in this batch (1–1000). */
  limit: number;
  /** Continue after this position of the active listing; null: from the beginning. */
  after: PageCursor | null;
}

export interface EndAllResult {
  /** Sessions this batch ended, as stored after the transition. */
  ended: SessionRecord[];
  /** Where the next batch continues; null when every record was examined. */
  next: PageCursor | null;
}

/** Extra conditions for {@link SessionStore.end}; null fields are not checked. */
export interface EndGuard {
  /** Only end the session when it belongs to this user (owner check). */
  userId: string | null;
  /** Only end the session when this is its current token hash (logout by token). */
  tokenHash: string | null;
}

export interface SessionLimit {
  /** Most live sessions the user may hold, including the one being created. */
  max: number;
  /** `'reject'`: create nothing; `'revoke-oldest'`: end the earliest-created live sessions to make room. */
  onExceed: 'revoke-oldest' | 'reject';
  /** Which ACTIVE sessions count as live (expired ones never count). */
  liveness: Liveness;
  /** Transition written to each evicted session (`REVOKED`, `'session_limit'`). */
  eviction: EndTransition;
}

/** Extra instructions for {@link SessionStore.create}. */
export interface CreateOptions {
  /**
   * Known-device keys this sign-in was recognised by (the device id it
   * presented, in current and legacy form, or its look-alike traits). Device
   * ids rotate on every sign-in: the first of these entries that exists moves
   * to `record.deviceKey` (keeping `firstSeenAt`, so the device counts as
   * known), and every one of them is deleted, so the old id is not recognised
   * again. Empty: plain upsert of `record.deviceKey`.
   */
  previousDeviceKeys: readonly string[];
  /**
   * Known-device entries kept per user. When a new device pushes the user over
   * it, the entries with the earliest `purgeAt` (the devices whose latest
   * session is oldest) are dropped in the same step.
   */
  deviceCap: number;
}

export type CreateResult =
  | {
      outcome: 'created';
      session: SessionRecord;
      /** Sessions ended to make room under `'revoke-oldest'`, as stored after the transition. */
      evicted: SessionRecord[];
      /** Whether the user's known-device entry for `deviceKey` existed before this call. */
      knownDevice: boolean;
    }
  | {
      outcome: 'limit_reached';
      /** Live sessions the user holds. */
      activeCount: number;
    };

export interface TouchUpdate {
  /** New `lastActivityAt`. */
  at: Date;
  /**
   * Throttle: write only when the stored `lastActivityAt` is at or before this
   * instant (`at - touchInterval`). Concurrent touches therefore produce at most
   * one write per interval, and activity never moves backwards.
   */
  ifLastActivityAtOrBefore: Date;
  liveness: Liveness;
}

export interface RefreshRotation {
  /** Hash of the refresh token the client presented. */
  presentedHash: string;
  /** Hashes of the newly issued token pair. */
  tokenHash: string;
  refreshTokenHash: string;
  /** New `lastActivityAt`. */
  at: Date;
  liveness: Liveness;
  /** Retired hashes to keep (oldest dropped first). */
  maxRetiredHashes: number;
  /**
   * Written when `presentedHash` is a retired hash of a session that is still
   * live at `liveness` (ACTIVE and not expired). A session that already expired
   * is not relabelled: the outcome is `reused` with `revoked: false`.
   */
  onReuse: EndTransition;
  /**
   * Reuse grace window (multi-tab refresh): when `presentedHash` is the most
   * recently retired hash (the newest entry of `retiredRefreshTokenHashes`), the
   * session is live and `refreshRotatedAt` is at or after this instant, the
   * outcome is `grace` and nothing is written — neither a rotation nor a
   * revocation. Null: strict, every retired hash is reuse.
   */
  reuseGraceSince: Date | null;
}

export type RefreshRotationResult =
  /** `presentedHash` was current and the session live: the pair was swapped. */
  | { outcome: 'rotated'; session: SessionRecord }
  /** `presentedHash` was retired. `revoked`: the session was live and has now ended with `onReuse`. */
  | { outcome: 'reused'; session: SessionRecord; revoked: boolean }
  /**
   * `presentedHash` is the token rotated out last, within the grace window (see
   * {@link RefreshRotation.reuseGraceSince}): nothing was written; `session` is
   * the live record, carrying the successor's hashes.
   */
  | { outcome: 'grace'; session: SessionRecord }
  /** `presentedHash` was current but the session is ended or no longer live: nothing was written. */
  | { outcome: 'inactive'; session: SessionRecord }
  /** No such session, or a hash it never issued. */
  | { outcome: 'not_found' };

/** A known device as stored: the public {@link KnownDevice} plus owner and purge time. */
export interface KnownDeviceRecord extends KnownDevice {
  userId: string;
  /** When the store may delete the entry: the latest `purgeAt` of a session created on it. */
  purgeAt: Date;
}

export interface VerificationUpdate {
  verification: SessionVerification;
  liveness: Liveness;
  /** Only when the session belongs to this user; null: any owner. */
  userId: string | null;
}

export interface CleanupInput {
  liveness: Liveness;
  /** Retention for records marked EXPIRED now: their `purgeAt` is `endedAt + historyRetentionMs`. */
  historyRetentionMs: number;
}

export interface CleanupResult {
  /** Records this call moved from ACTIVE to EXPIRED, as stored after the transition. */
  expired: SessionRecord[];
  /** Records deleted because their `purgeAt` passed. */
  purged: number;
}

/** Which sessions {@link SessionStore.requestRefresh} marks. */
export type RefreshTarget =
  /** Every session of this user. */
  | { userId: string; sessionId?: undefined }
  /** One session; with `ownerUserId`, only when that user owns it. */
  | { sessionId: string; ownerUserId: string | null; userId?: undefined };

export interface RefreshRequest {
  /** The mark to write (see {@link SessionStore.requestRefresh}). */
  at: Date;
  /** Only sessions live at this moment are marked. */
  liveness: Liveness;
}

/**
 * A sign-in held at the session limit (`limitPolicy: 'ask'`) until the user
 * picks a session to end. The held sign-in's id is a secret: stores only see
 * `key`, derived from it by a one-way hash.
 */
export interface PendingSignInRecord {
  /**
   * The user's 6-character shard (like a session id's, see `sessionIdShard`)
   * followed by the SHA-256 (base64url) of the held sign-in's id. Partitioned
   * stores (Redis Cluster) keep it beside the user's sessions.
   */
  key: string;
  userId: string;
  /** After this instant the held sign-in is gone: never returned, never completed. */
  expiresAt: Date;
  /** What core keeps with the held sign-in, as JSON text; opaque to stores (at most 16 KB). */
  payload: string;
}

/** What {@link SessionStore.completeSignIn} does in one atomic step. */
export interface SignInCompletion {
  /** The held sign-in's owner: the pending record and the chosen session must both be this user's. */
  userId: string;
  /** The live session the user chose to end. */
  endSessionId: string;
  /** Transition written to it (`REVOKED`, `'revoked_by_user'`). */
  end: EndTransition;
  /** The session to insert, as {@link SessionStore.create} would. */
  record: SessionRecord;
  /** Counted after ending `endSessionId`; `onExceed` is always `'reject'`. */
  limit: SessionLimit;
  options: CreateOptions;
}

export type SignInCompletionResult =
  /** Pending record deleted, chosen session ended, `record` inserted (and its device remembered). */
  | { outcome: 'created'; session: SessionRecord; ended: SessionRecord; knownDevice: boolean }
  /** No pending record under the key that is unexpired and the user's: nothing written. */
  | { outcome: 'not_found' }
  /** The chosen session is not a live session of the user: nothing written, still held. */
  | { outcome: 'choice_invalid' }
  /** Even with the chosen session ended the user would be over the limit: nothing written, still held. */
  | { outcome: 'limit_reached'; activeCount: number };

/**
 * The one seam between session lifecycle logic (`@sessionkit/core`) and a
 * database. Core makes every decision; a store applies the conditional writes it
 * is told to apply, each atomically, so that a late write can never resurrect an
 * ended session.
 *
 * Every method is required. Each should be a single round trip where the
 * database allows (one Redis script or pipeline, one MongoDB query/update).
 * Records returned are copies: mutating them never changes stored state.
 *
 * Session ids begin with a 6-character shard derived from the user id
 * (`userShard()` in token.ts; `sessionIdShard()` reads it back): stores that
 * partition data, like Redis Cluster, use it to keep every record of one user
 * on one node.
 *
 * A store signals "cannot answer" by throwing (any error); core wraps it in
 * `SessionStoreError` and fails closed.
 */
export interface SessionStore {
  /**
   * Inserts `record` (status ACTIVE). When `limit` is set, counting the user's
   * live sessions, evicting or refusing, and inserting happen as one atomic step:
   * concurrent creates for one user never leave more than `limit.max` live
   * sessions.
   *
   * In the same step it upserts the user's known-device entry `record.deviceKey`
   * (keeping `firstSeenAt`; setting `lastSeenAt = createdAt`, `deviceInfo`,
   * `lastIpAddress`, `lastLocation`; `purgeAt` = the later of the old and
   * `record.purgeAt`) and reports whether it existed before, then applies
   * `options.deviceCap`. Nothing is written when the limit refuses. With
   * `options.previousDeviceKeys`, the entry found under one of them moves to
   * `record.deviceKey` first (see {@link CreateOptions}).
   */
  create(
    record: SessionRecord,
    limit: SessionLimit | null,
    options: CreateOptions,
  ): Promise<CreateResult>;

  /** The record with this id, in any status, or null. A plain read. */
  get(sessionId: string): Promise<SessionRecord | null>;

  /**
   * One page of the user's stored-ACTIVE records (live or not yet marked
   * expired), ordered by `(expiresAt, id)` descending: newest first for a fixed
   * `expiresIn`. `expiresAt` never changes, so the order is stable under
   * concurrent writes. Examines at most `query.limit` records. Never returns a
   * record whose `userId` differs from `userId`.
   */
  listActive(userId: string, query: PageQuery): Promise<RecordPage>;

  /**
   * One page of the user's ended records whose status is in `query.statuses`,
   * ordered by `(endedAt, id)` descending (most recently ended first; `endedAt`
   * never changes once set). Examines at most `query.limit` records. Never
   * returns a record whose `userId` differs from `userId`.
   */
  listEnded(
    userId: string,
    query: PageQuery & { statuses: readonly EndedSessionStatus[] },
  ): Promise<RecordPage>;

  /**
   * Sets `lastActivityAt = update.at` only while the session is live and its
   * stored `lastActivityAt <= update.ifLastActivityAtOrBefore` (atomic
   * compare-and-set). Returns whether it wrote.
   */
  touch(sessionId: string, update: TouchUpdate): Promise<boolean>;

  /**
   * Applies `transition` only while the session is ACTIVE and matches every
   * field of `guard` that is not null (atomic compare-and-set). Returns the ended
   * record, or null when nothing was written.
   */
  end(sessionId: string, transition: EndTransition, guard: EndGuard): Promise<SessionRecord | null>;

  /**
   * One bounded batch of "end every session of this user": walks the user's
   * stored-ACTIVE records in {@link SessionStore.listActive} order after `batch.after`,
   * examining at most `batch.limit`, and applies `transition` to each that is
   * live at `batch.liveness`, was created at or before `batch.createdAtOrBefore`,
   * is not `batch.exceptSessionId` and belongs to `userId`. Each session's
   * transition is atomic on its own (and moves it between the user's indexes in
   * the same step), so a crash between or within batches leaves every session
   * either untouched or fully ended. The manager calls it until `next` is null.
   */
  endAllForUser(
    userId: string,
    transition: EndTransition,
    batch: EndAllBatch,
  ): Promise<EndAllResult>;

  /**
   * Refresh-token rotation as one atomic compare-and-set on the refresh hash: see
   * {@link RefreshRotationResult} for the four outcomes. Of two concurrent calls
   * with the same token, exactly one can rotate; the other sees a retired hash.
   */
  rotateRefreshToken(sessionId: string, rotation: RefreshRotation): Promise<RefreshRotationResult>;

  /** The user's known devices whose `purgeAt` has not passed, in any order. */
  listDevices(userId: string): Promise<KnownDeviceRecord[]>;

  /** Deletes one known-device entry; its next sign-in counts as a new device. Returns whether it existed. */
  forgetDevice(userId: string, deviceId: string): Promise<boolean>;

  /**
   * Sets `verification` only while the session is live (and owned by
   * `update.userId` when given), atomically. Returns the updated record or null.
   */
  markVerified(sessionId: string, update: VerificationUpdate): Promise<SessionRecord | null>;

  /**
   * Maintenance for stores without native expiry: marks ACTIVE records that are
   * no longer live as EXPIRED (endedAt = {@link expiryOf}) and deletes records
   * and known-device entries whose `purgeAt` passed (not counted in `purged`). Stores whose database expires data itself may return
   * `{ expired: [], purged: 0 }`.
   */
  cleanup(input: CleanupInput): Promise<CleanupResult>;

  /**
   * Called once by the manager with how it derives a user's shard (keyed with
   * its secret). Stores that partition by user shard (Redis Cluster) put
   * user-keyed data in the slot of the user's session ids and keep also reading
   * the legacy shard (`legacyUserShard`) for sessions and devices created before
   * the secret, until they expire. Stores that index by user id implement it as
   * a no-op: every method is required, so the manager never probes for one.
   */
  bindUserShard(shardOf: (userId: string) => string): void;

  // ── Claims refresh (`manager.requestRefresh`) ──────────────────────────────
  // The mark travels in the record `get()` already returns, so validate() sees
  // it without another call; only clearing it is one more.

  /**
   * Marks the target's sessions that are live at `request.liveness` for a claims
   * reload: sets `refreshRequestedAt` to `request.at`, or to one millisecond
   * after the stored mark when that is not earlier, so a new request never
   * equals one a reader already saw. `{ userId }` marks every such session of
   * the user in this one call (each session's write atomic); `{ sessionId }`
   * marks one (owned by `ownerUserId` when not null). Never resurrects or
   * touches an ended session. Returns how many sessions it marked.
   */
  requestRefresh(target: RefreshTarget, request: RefreshRequest): Promise<number>;

  /**
   * Clears the mark (`refreshRequestedAt = null`) only while it still equals
   * `requestedAt` (atomic compare-and-set), so a request made while the claims
   * were being reloaded stays pending. Returns whether it cleared.
   */
  clearRefreshRequest(sessionId: string, requestedAt: Date): Promise<boolean>;
  // --- Federated sign-out (issue 16): where a session came from, ended by the identity provider ---

  /**
   * Remembers where a live session came from (see {@link SessionOrigin}),
   * server-side, beside the record: never part of the record `get()` returns.
   * Writes only while the session is live at `liveness`; indexes it under
   * `(issuer, sid)` (when `sid` is set) and `(issuer, subject)` so that
   * {@link SessionStore.endFederated} finds it in one call. A later call for
   * the same session replaces the origin. Returns whether it wrote. The origin
   * lives no longer than the session (at most until its `expiresAt`).
   */
  linkOrigin(sessionId: string, origin: SessionOrigin, liveness: Liveness): Promise<boolean>;

  /** The origin {@link SessionStore.linkOrigin} recorded for the session while it is ACTIVE, or null. */
  getOrigin(sessionId: string): Promise<SessionOrigin | null>;

  /**
   * One bounded batch of "end every session the identity provider just ended":
   * walks the sessions linked to `match` (by `(issuer, sid)` when `match.sid`
   * is set, else by `(issuer, subject)`) in ascending `(createdAt, id)` order
   * after `batch.after` (a cursor whose `at` is a `createdAt`), examining at
   * most `batch.limit`, and applies `transition` to each whose recorded origin
   * matches every non-null field of `match`, that is live at `batch.liveness`
   * and was created at or before `batch.createdAtOrBefore`. Each session's
   * transition is atomic on its own (as in {@link SessionStore.endAllForUser},
   * moving it between its user's indexes). The manager calls it until `next`
   * is null.
   */
  endFederated(
    match: FederatedMatch,
    transition: EndTransition,
    batch: FederatedEndBatch,
  ): Promise<EndAllResult>;

  // --- Held sign-ins (limitPolicy 'ask'): see contract-pending-sign-in.ts ---

  /**
   * Keeps a held sign-in until `pending.expiresAt` (a store with native expiry
   * lets it expire there). Keys are unique: core never reuses one.
   */
  holdSignIn(pending: PendingSignInRecord): Promise<void>;

  /** The held sign-in under `key` when it has not expired at `now`, else null. A plain read. */
  getPendingSignIn(key: string, now: Date): Promise<PendingSignInRecord | null>;

  /**
   * Completes a held sign-in, atomically with respect to the user's session
   * limit and to other completions: checks that `key` is held for
   * `completion.userId` and unexpired at `completion.limit.liveness.now`, that
   * `completion.endSessionId` is a live session of that user, and that the
   * user's live sessions other than it number fewer than `limit.max`; then ends
   * the chosen session, deletes the pending record (single use) and inserts
   * `completion.record` with its known-device entry exactly as
   * {@link SessionStore.create} does. Any failed check writes nothing. Two
   * concurrent completions of one key: at most one creates; of two keys of one
   * user: the user never holds more than `limit.max` live sessions.
   */
  completeSignIn(key: string, completion: SignInCompletion): Promise<SignInCompletionResult>;
}

/**
 * Where a session came from when an OpenID Connect provider signed the user in:
 * kept by the store beside the record, never shown in the public `Session`.
 */
export interface SessionOrigin {
  /** The sign-in provider's id in the app (next-auth's `account.provider`, e.g. `'keycloak'`). */
  providerId: string;
  /** The provider's issuer identifier (`iss` of its ID token), exactly as it sends it. */
  issuer: string;
  /** The user's subject at the provider (`sub` of the ID token). */
  subject: string;
  /** The provider's session id (`sid` of the ID token), when it sends one. */
  sid: string | null;
  /**
   * The raw ID token, kept for RP-initiated logout's `id_token_hint`; null when
   * the app does not keep it. It is a signed statement about the user, not a
   * credential the app accepts: it stays server-side and is never returned by
   * the session routes.
   */
  idToken: string | null;
}

/** Which sessions an identity provider ended: `issuer` plus `sid`, `subject` or both. */
export interface FederatedMatch {
  issuer: string;
  /** Set: only sessions of this provider session (and of `subject`, when that is set too). */
  sid: string | null;
  /** Set without `sid`: every session of this subject at the issuer. */
  subject: string | null;
}

/** One bounded batch of {@link SessionStore.endFederated}. */
export interface FederatedEndBatch {
  liveness: Liveness;
  /** Only sessions created at or before this instant (when the logout began) are ended. */
  createdAtOrBefore: Date;
  /** Most linked sessions to examine in this batch (1–1000). */
  limit: number;
  /** Continue after this `(createdAt, id)`; null: from the beginning. */
  after: PageCursor | null;
}

/**
 * The names of {@link SessionStore}'s methods, for run-time checks of a store
 * passed in from JavaScript. Typed against the interface both ways (`satisfies`
 * a record of every key), so adding, renaming or removing a method without
 * updating this list fails to compile.
 */
export const STORE_METHODS = Object.keys({
  create: true,
  get: true,
  listActive: true,
  listEnded: true,
  touch: true,
  end: true,
  endAllForUser: true,
  rotateRefreshToken: true,
  listDevices: true,
  forgetDevice: true,
  markVerified: true,
  cleanup: true,
  bindUserShard: true,
  // Claims refresh.
  requestRefresh: true,
  clearRefreshRequest: true,
  // Federated sign-out (issue 16)
  linkOrigin: true,
  getOrigin: true,
  endFederated: true,
  // Held sign-ins (limitPolicy 'ask').
  holdSignIn: true,
  getPendingSignIn: true,
  completeSignIn: true,
} as const satisfies Record<keyof SessionStore, true>) as readonly (keyof SessionStore)[];

/**
 * How long ended sessions (and forgotten-about devices) stay listable by
 * default: 90 days. The manager's `historyRetention` default and the default of
 * stores that apply retention themselves (Mongo's TTL index) both read this.
 */
export const DEFAULT_HISTORY_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * Whether an ACTIVE record is still live at `liveness.now` (absolute and idle expiry).
 *
 * The liveness rule exists three times, because each store must apply it inside
 * its own atomic operation: here (memory store, manager), as Lua in
 * packages/redis/src/scripts.ts (`is_live`), and as a query filter in
 * packages/mongo/src/liveness.ts (`liveFilter`). Change all three together; the
 * conformance case "liveness: the boundary instants" pins them to the same answers.
 */
export function isLive(
  record: Pick<Session, 'status' | 'expiresAt' | 'lastActivityAt'>,
  liveness: Liveness,
): boolean {
  return isLiveAt(record, liveness.now.getTime(), liveness.idleTimeoutMs);
}

/** {@link isLive} with the moment as epoch ms: no Date allocation, for the validate() path. */
export function isLiveAt(
  record: Pick<Session, 'status' | 'expiresAt' | 'lastActivityAt'>,
  nowMs: number,
  idleTimeoutMs: number | null,
): boolean {
  if (record.status !== 'ACTIVE' || record.expiresAt.getTime() <= nowMs) return false;
  return idleTimeoutMs === null || record.lastActivityAt.getTime() + idleTimeoutMs > nowMs;
}

/** When and why an ACTIVE record stops being live: the earlier of absolute and idle expiry. */
export function expiryOf(
  record: Pick<Session, 'expiresAt' | 'lastActivityAt'>,
  idleTimeoutMs: number | null,
): { at: Date; reason: 'expired' | 'idle_timeout' } {
  const absolute = record.expiresAt.getTime();
  if (idleTimeoutMs !== null) {
    const idle = record.lastActivityAt.getTime() + idleTimeoutMs;
    if (idle < absolute) return { at: new Date(idle), reason: 'idle_timeout' };
  }
  return { at: new Date(absolute), reason: 'expired' };
}
