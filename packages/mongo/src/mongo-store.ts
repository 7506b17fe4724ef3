import { InvalidInputError, SessionStoreError } from '@sessionkit/core';
import {
  type CleanupInput,
  type CleanupResult,
  type CreateOptions,
  type CreateResult,
  type EndAllBatch,
  type EndAllResult,
  type EndedSessionStatus,
  type EndGuard,
  type EndTransition,
  isLive,
  type KnownDeviceRecord,
  type PageQuery,
  type RecordPage,
  type RefreshRequest,
  type RefreshRotation,
  type RefreshRotationResult,
  type RefreshTarget,
  type SessionLimit,
  type SessionRecord,
  type SessionStore,
  STORE_METHODS,
  type TouchUpdate,
  type VerificationUpdate,
} from '@sessionkit/core/store';
import type { Connection, mongo } from 'mongoose';
import {
  boundCollection,
  type ConnectionGate,
  DEFAULT_TIMEOUT_MS,
  guardCall,
  type StoreCall,
} from './call-guard.js';
import { CLEANUP_TIMEOUT_MS, cleanupIn } from './cleanup.js';
import { deviceDocId, toDevice, toRecord } from './codec.js';
import { connectionGate, UriConnection } from './connections.js';
import { createSessionIn, insertSession, removeOwnSession } from './create-session.js';
import { capDevicesIn, rememberDeviceIn } from './device-registry.js';
import { capHistoryIn, endBatchIn } from './end-batch.js';
import { federatedMethods } from './federated.js';
import { heldSignInMethods } from './held-sign-ins.js';
import { checkMongoIndexes, whenOpen } from './indexes.js';
import { LEASE_MS, MAJORITY, withUserLease } from './lease.js';
import { endFields, liveFilter } from './liveness.js';
import { checkOptions, type MongoStoreOptions, pickConnection, resolveModels } from './models.js';
import { findAllIn, pageIn } from './paging.js';
import { type DeviceDoc, type LockDoc, lockCollectionName, type SessionDoc } from './schema.js';
import {
  checkCount,
  checkDate,
  checkDeviceId,
  checkGuard,
  checkHash,
  checkLiveness,
  checkPageQuery,
  checkSessionId,
  checkStatuses,
  checkTransition,
  checkUserId,
  checkVerificationUpdate,
} from './validate.js';

type Filter = mongo.Filter<SessionDoc>;

/**
 * A {@link SessionStore} on MongoDB through mongoose, using your app's own
 * connection. Each transition is one conditional write filtered on
 * `status: 'ACTIVE'`; records expire through a TTL index on `purgeAt`.
 *
 * @example
 * ```ts
 * import mongoose from 'mongoose';
 * import { createSessionManager } from '@sessionkit/core';
 * import { createMongoStore } from '@sessionkit/mongo';
 *
 * await mongoose.connect(process.env.MONGODB_URI!);
 * export const sessions = createSessionManager({
 *   store: createMongoStore({ connection: mongoose.connection }),
 * });
 * ```
 */
export function createMongoStore(options: MongoStoreOptions = {}): SessionStore {
  checkOptions(options);
  const timeout = checkTimeout(options.timeout);
  if (options.connection !== undefined || options.uri === undefined) {
    return storeOn(options, timeout, pickConnection(options));
  }
  // A `uri` store follows the URI's current connection: a new one after a
  // failed first connect (see connections.ts), with its models registered on it.
  const source = new UriConnection(options.uri);
  let built: { connection: Connection; store: SessionStore } | null = null;
  const current = (): SessionStore | null => {
    const connection = source.current();
    if (!connection) return null;
    if (built?.connection !== connection) {
      built = { connection, store: storeOn(options, timeout, connection) };
    }
    return built.store;
  };
  current(); // checks the options now, when a connection can be had
  const store: Record<string, (...args: unknown[]) => unknown> = { bindUserShard };
  for (const name of ASYNC_METHODS) {
    store[name] = (...args: unknown[]) => {
      const target = current();
      if (!target) {
        return Promise.reject(
          new SessionStoreError(
            `MongoDB ${name}`,
            new Error(`no MongoDB connection: ${source.describe()}`),
          ),
        );
      }
      return (target[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  return store as unknown as SessionStore;
}

function checkTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 600_000) {
    throw new InvalidInputError(
      'createMongoStore(): timeout must be a number of ms above 0 (at most 600000); the default is 500.',
    );
  }
  return value;
}

/** The store over the models of `connection`. */
function storeOn(
  options: MongoStoreOptions,
  timeout: number,
  connection: Connection,
): SessionStore {
  const { sessions, locks, devices } = resolveModels(options, connection);
  return createCollectionStore({
    // mongoose's collection wraps the driver's (its buffering is off for these
    // models, see schema.ts). Writes go to it directly rather than through
    // Model queries so that no app-wide mongoose plugin or middleware (soft
    // delete, tenant filters, ...) can rewrite sessionkit's conditional filters.
    sessions: sessions.collection as unknown as mongo.Collection<SessionDoc>,
    locks: locks.collection as unknown as mongo.Collection<LockDoc>,
    devices: devices.collection as unknown as mongo.Collection<DeviceDoc>,
    lockCollectionName: lockCollectionName(sessions.collection.collectionName),
    timeout,
    gate: connectionGate(connection),
  });
}

/**
 * Creates (or updates) the indexes of the sessions, lock and device collections
 * and drops indexes on them that sessionkit no longer declares, via mongoose's
 * `Model.syncIndexes()`. Run it once per deploy when your connection has
 * `autoIndex: false` (recommended in production); with the default
 * `autoIndex: true` mongoose builds missing indexes itself when the store is
 * created. Then checks them with `checkMongoIndexes()` and throws
 * `InvalidInputError` naming the fix if one is still missing or different.
 *
 * @example
 * ```ts
 * await ensureMongoIndexes({ connection: mongoose.connection });
 * ```
 */
export async function ensureMongoIndexes(options: MongoStoreOptions = {}): Promise<void> {
  const { sessions, locks, devices } = resolveModels(options);
  await whenOpen(sessions.db, 'ensureMongoIndexes()');
  await sessions.syncIndexes();
  await locks.syncIndexes();
  await devices.syncIndexes();
  // syncIndexes() can leave an index unbuilt (e.g. another instance re-created
  // it with another historyRetention meanwhile): say so rather than run without it.
  await checkMongoIndexes({ ...options, throwIfInvalid: true });
}

export interface CollectionStoreInput {
  sessions: mongo.Collection<SessionDoc>;
  locks: mongo.Collection<LockDoc>;
  devices: mongo.Collection<DeviceDoc>;
  lockCollectionName: string;
  /**
   * Wall clock for hiding known devices past their `purgeAt` that the TTL
   * monitor has not deleted yet (as MongoDB's own TTL does: not session time),
   * and for how long a create waits for the per-user lease. The lease itself
   * runs on the server's clock. @default Date.now
   */
  clock?: () => number;
  /** Waits between lease attempts. @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** Bound in ms on every store call (see createMongoStore's `timeout`). @default 500 */
  timeout?: number;
  /** The connection's state, checked before each call. @default always up */
  gate?: ConnectionGate;
  /** How long a per-user lease lasts (tests shorten it). @default max(10 s, 2 × timeout) */
  leaseMs?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The store logic over three driver collections (mongoose's, or any with the
 * same API). Every call runs under guardCall(): bounded by `timeout`, with
 * each command bounded by the time left and reads sent to the primary.
 */
export function createCollectionStore(input: CollectionStoreInput): SessionStore {
  const timeout = input.timeout ?? DEFAULT_TIMEOUT_MS;
  const store: Record<string, (...args: unknown[]) => unknown> = { bindUserShard };
  for (const name of ASYNC_METHODS) {
    // cleanup() is a maintenance job, not on any request's path: a backlog of
    // batches may take longer than a request-sized timeout, so only each of its
    // commands is bounded by `timeout`, the whole call by CLEANUP_TIMEOUT_MS.
    const bound = name === 'cleanup' ? Math.max(timeout, CLEANUP_TIMEOUT_MS) : timeout;
    store[name] = (...args: unknown[]) =>
      guardCall(
        name,
        bound,
        input.gate,
        (call) => {
          const method = storeMethods(input, call)[name] as (...a: unknown[]) => Promise<unknown>;
          return method(...args);
        },
        timeout,
      );
  }
  return store as unknown as SessionStore;
}

// The contract's asynchronous methods, each run under guardCall(). bindUserShard
// is the one synchronous method: Mongo indexes by user id, so it is a no-op.
const ASYNC_METHODS = STORE_METHODS.filter((name) => name !== 'bindUserShard');
const bindUserShard = (): void => {};

/** The store's methods for one call: its collections check the call before each command. */
function storeMethods(input: CollectionStoreInput, call: StoreCall): SessionStore {
  const sessions = boundCollection(input.sessions, call);
  const locks = boundCollection(input.locks, call);
  const devices = boundCollection(input.devices, call);
  const clock = input.clock ?? Date.now;
  const sleep = input.sleep ?? defaultSleep;
  const timeout = input.timeout ?? DEFAULT_TIMEOUT_MS;

  /** See end-batch.ts. */
  const endBatch = (
    filter: Filter,
    stamp: (marker: string) => mongo.UpdateFilter<SessionDoc> | mongo.Document[],
    readBack: (marker: string) => Filter,
  ) => endBatchIn(sessions, filter, stamp, readBack);
  const capHistory = (userId: string, cap: number) => capHistoryIn(sessions, userId, cap);

  /** See lease.ts. */
  const withUserLock = <T>(userId: string, body: () => Promise<T>): Promise<T> =>
    withUserLease(
      {
        locks,
        rawLocks: input.locks,
        lockCollectionName: input.lockCollectionName,
        leaseMs: input.leaseMs ?? Math.max(LEASE_MS, 2 * timeout),
        clock,
        sleep,
        releaseTimeoutMs: timeout,
      },
      call,
      userId,
      body,
    );

  const pageOf = (
    userId: string,
    filter: Filter,
    field: 'expiresAt' | 'endedAt',
    query: PageQuery,
    projection?: mongo.Document,
  ) => pageIn(sessions, userId, filter, field, query, projection);

  const createContext = {
    sessions,
    devices,
    rawSessions: input.sessions,
    call,
    timeout,
    withUserLock,
  };
  const held = heldSignInMethods({
    locks,
    sessions,
    withUserLock,
    findAll: (filter, options) => findAllIn(sessions, filter, options),
    insertSession: (doc) => insertSession(createContext, doc),
    removeOwnSession: (doc) => removeOwnSession(createContext, doc),
    remember: async (record, previousKeys, cap) => {
      const known = await rememberDeviceIn(devices, record, previousKeys);
      if (!known) await capDevicesIn(devices, record.userId, cap);
      return known;
    },
    capHistory,
  });

  return {
    bindUserShard,
    ...federatedMethods({
      sessions,
      findAll: (filter, options) => findAllIn(sessions, filter, options),
      endBatch,
      capHistory,
    }),
    holdSignIn: held.holdSignIn,
    getPendingSignIn: held.getPendingSignIn,
    completeSignIn: held.completeSignIn,

    create(
      record: SessionRecord,
      limit: SessionLimit | null,
      options: CreateOptions,
    ): Promise<CreateResult> {
      return createSessionIn(createContext, record, limit, options);
    },

    async get(sessionId: string): Promise<SessionRecord | null> {
      checkSessionId('get', sessionId);
      const doc = await sessions.findOne({ _id: sessionId });
      return doc ? toRecord(doc) : null;
    },

    async listActive(userId: string, query: PageQuery): Promise<RecordPage> {
      checkUserId('listActive', userId);
      checkPageQuery('listActive', query);
      const { docs, next } = await pageOf(userId, { status: 'ACTIVE' }, 'expiresAt', query);
      return { records: docs.map(toRecord), next };
    },

    async listEnded(
      userId: string,
      query: PageQuery & { statuses: readonly EndedSessionStatus[] },
    ): Promise<RecordPage> {
      checkUserId('listEnded', userId);
      checkPageQuery('listEnded', query);
      const statuses = checkStatuses('listEnded', query.statuses);
      if (statuses.length === 0) return { records: [], next: null };
      const { docs, next } = await pageOf(userId, { status: { $in: statuses } }, 'endedAt', query);
      return { records: docs.map(toRecord), next };
    },

    async touch(sessionId: string, update: TouchUpdate): Promise<boolean> {
      checkSessionId('touch', sessionId);
      checkDate('touch', update?.at, 'update.at');
      checkDate('touch', update.ifLastActivityAtOrBefore, 'update.ifLastActivityAtOrBefore');
      checkLiveness('touch', update.liveness);
      const { now, idleTimeoutMs } = update.liveness;
      // Liveness, throttle and monotonicity in one filter: write only while the
      // session is live and its stored activity is old enough and older than
      // the new value.
      const filter: Filter = {
        _id: sessionId,
        status: 'ACTIVE',
        expiresAt: { $gt: now },
        lastActivityAt: {
          ...(idleTimeoutMs === null ? {} : { $gt: new Date(now.getTime() - idleTimeoutMs) }),
          $lte: update.ifLastActivityAtOrBefore,
          $lt: update.at,
        },
      };
      const result = await sessions.updateOne(filter, { $set: { lastActivityAt: update.at } });
      return result.modifiedCount === 1;
    },

    async end(
      sessionId: string,
      transition: EndTransition,
      guard: EndGuard,
    ): Promise<SessionRecord | null> {
      checkSessionId('end', sessionId);
      checkTransition('end', transition);
      checkGuard('end', guard);
      const filter: Filter = { _id: sessionId, status: 'ACTIVE' };
      if (guard.userId !== null) filter.userId = guard.userId;
      if (guard.tokenHash !== null) filter.tokenHash = guard.tokenHash;
      const doc = await sessions.findOneAndUpdate(
        filter,
        { $set: endFields(transition) },
        { returnDocument: 'after', ...MAJORITY },
      );
      if (!doc) return null;
      await capHistory(doc.userId, transition.historyCap);
      return toRecord(doc);
    },

    async endAllForUser(
      userId: string,
      transition: EndTransition,
      batch: EndAllBatch,
    ): Promise<EndAllResult> {
      checkUserId('endAllForUser', userId);
      checkTransition('endAllForUser', transition);
      checkLiveness('endAllForUser', batch?.liveness);
      checkPageQuery('endAllForUser', batch);
      checkDate('endAllForUser', batch.createdAtOrBefore, 'batch.createdAtOrBefore');
      const except = batch.exceptSessionId;
      if (except !== null) checkSessionId('endAllForUser', except, 'exceptSessionId');
      // One bounded page of the user's ACTIVE ids, then one updateMany over
      // exactly those that are live, old enough and not excepted: each document's
      // transition is atomic, and a crash between batches leaves whole sessions.
      const { docs, next } = await pageOf(userId, { status: 'ACTIVE' }, 'expiresAt', batch, {
        _id: 1,
        userId: 1,
        expiresAt: 1,
      });
      const ids = docs.map((d) => d._id).filter((id) => id !== except);
      if (ids.length === 0) return { ended: [], next };
      const ended = await endBatch(
        {
          _id: { $in: ids },
          userId,
          createdAt: { $lte: batch.createdAtOrBefore },
          ...liveFilter(batch.liveness),
        },
        (marker) => ({ $set: { ...endFields(transition), endBatch: marker } }),
        (marker) => ({ _id: { $in: ids }, userId, endBatch: marker }),
      );
      if (ended.length > 0) await capHistory(userId, transition.historyCap);
      return { ended, next };
    },

    async rotateRefreshToken(
      sessionId: string,
      rotation: RefreshRotation,
    ): Promise<RefreshRotationResult> {
      checkSessionId('rotateRefreshToken', sessionId);
      checkHash('rotateRefreshToken', rotation?.presentedHash, 'rotation.presentedHash');
      checkHash('rotateRefreshToken', rotation.tokenHash, 'rotation.tokenHash');
      checkHash('rotateRefreshToken', rotation.refreshTokenHash, 'rotation.refreshTokenHash');
      checkDate('rotateRefreshToken', rotation.at, 'rotation.at');
      checkLiveness('rotateRefreshToken', rotation.liveness);
      checkTransition('rotateRefreshToken', rotation.onReuse, 'rotation.onReuse');
      const keep = checkCount(
        'rotateRefreshToken',
        rotation.maxRetiredHashes,
        'rotation.maxRetiredHashes',
      );
      const presented = rotation.presentedHash;

      // The compare-and-set: only the call that still finds `presented` as the
      // current refresh hash of a live session swaps the pair. Of two concurrent
      // calls with one token, the loser finds it retired below.
      const update: mongo.UpdateFilter<SessionDoc> = {
        $set: {
          tokenHash: rotation.tokenHash,
          refreshTokenHash: rotation.refreshTokenHash,
          refreshRotatedAt: rotation.at,
          ...(keep === 0 ? { retiredRefreshTokenHashes: [] } : {}),
        },
        $max: { lastActivityAt: rotation.at },
      };
      if (keep > 0) {
        update.$push = { retiredRefreshTokenHashes: { $each: [presented], $slice: -keep } };
      }
      const rotated = await sessions.findOneAndUpdate(
        { _id: sessionId, ...liveFilter(rotation.liveness), refreshTokenHash: presented },
        update,
        { returnDocument: 'after', ...MAJORITY },
      );
      if (rotated) return { outcome: 'rotated', session: toRecord(rotated) };

      const current = await sessions.findOne({ _id: sessionId });
      if (!current) return { outcome: 'not_found' };
      const grace = rotation.reuseGraceSince;
      if (grace !== null) checkDate('rotateRefreshToken', grace, 'rotation.reuseGraceSince');
      const retired = current.retiredRefreshTokenHashes ?? [];
      // The reuse grace window: decided from this read, with no write. Rotations
      // only move forward, so a token found outside the window (not the last one
      // rotated out, or rotated out earlier) can never move back into it before
      // the conditional revocation below.
      if (
        grace !== null &&
        retired[retired.length - 1] === presented &&
        current.refreshRotatedAt instanceof Date &&
        current.refreshRotatedAt.getTime() >= grace.getTime() &&
        isLive(toRecord(current), rotation.liveness)
      ) {
        return { outcome: 'grace', session: toRecord(current) };
      }
      if (retired.includes(presented)) {
        // Only a live session is ended for reuse: an expired one is not relabelled.
        const revoked = await sessions.findOneAndUpdate(
          {
            _id: sessionId,
            ...liveFilter(rotation.liveness),
            retiredRefreshTokenHashes: presented,
          },
          { $set: endFields(rotation.onReuse) },
          { returnDocument: 'after', ...MAJORITY },
        );
        if (revoked) {
          await capHistory(revoked.userId, rotation.onReuse.historyCap);
          return { outcome: 'reused', session: toRecord(revoked), revoked: true };
        }
        // Ended by someone else in between: report it as stored now.
        const after = await sessions.findOne({ _id: sessionId });
        return after
          ? { outcome: 'reused', session: toRecord(after), revoked: false }
          : { outcome: 'not_found' };
      }
      if (current.refreshTokenHash === presented) {
        // Current, yet the compare-and-set did not match: ended or not live.
        return { outcome: 'inactive', session: toRecord(current) };
      }
      return { outcome: 'not_found' };
    },

    async listDevices(userId: string): Promise<KnownDeviceRecord[]> {
      checkUserId('listDevices', userId);
      const cursor = await (devices.find({
        userId,
        purgeAt: { $gt: new Date(clock()) },
      }) as mongo.FindCursor<DeviceDoc> | Promise<mongo.FindCursor<DeviceDoc>>);
      return ((await cursor.toArray()) as DeviceDoc[]).map(toDevice);
    },

    async forgetDevice(userId: string, deviceId: string): Promise<boolean> {
      checkUserId('forgetDevice', userId);
      checkDeviceId('forgetDevice', deviceId);
      // An entry past purgeAt is already forgotten; the TTL monitor deletes it.
      const result = await devices.deleteOne({
        _id: deviceDocId(userId, deviceId),
        purgeAt: { $gt: new Date(clock()) },
      });
      return result.deletedCount === 1;
    },

    async markVerified(
      sessionId: string,
      update: VerificationUpdate,
    ): Promise<SessionRecord | null> {
      checkSessionId('markVerified', sessionId);
      const { verification, liveness, userId } = checkVerificationUpdate('markVerified', update);
      // Liveness and owner in the filter: one conditional write.
      const filter: Filter = { _id: sessionId, ...liveFilter(liveness) };
      if (userId !== null) filter.userId = userId;
      const doc = await sessions.findOneAndUpdate(
        filter,
        {
          $set: {
            verification: { verifiedAt: verification.verifiedAt, method: verification.method },
          },
        },
        { returnDocument: 'after' },
      );
      return doc ? toRecord(doc) : null;
    },

    async requestRefresh(target: RefreshTarget, request: RefreshRequest): Promise<number> {
      if (typeof target !== 'object' || target === null) {
        throw new InvalidInputError('requestRefresh: target must be { userId } or { sessionId }.');
      }
      const at = checkDate('requestRefresh', request?.at, 'request.at');
      const liveness = checkLiveness('requestRefresh', request.liveness);
      const filter: Filter = { ...liveFilter(liveness) };
      if (target.userId === undefined) {
        filter._id = checkSessionId('requestRefresh', target.sessionId);
        if (target.ownerUserId !== null) {
          filter.userId = checkUserId('requestRefresh', target.ownerUserId, 'ownerUserId');
        }
      } else {
        filter.userId = checkUserId('requestRefresh', target.userId);
      }
      // One update for every live session of the target. The mark is `at`, or
      // one ms past a stored mark that is not earlier (memory-store.ts does the
      // same), so a new request never equals one a reader already acted on.
      const result = await sessions.updateMany(filter, [
        {
          $set: {
            refreshRequestedAt: {
              $cond: [
                { $lt: [{ $ifNull: ['$refreshRequestedAt', new Date(0)] }, at] },
                at,
                { $add: ['$refreshRequestedAt', 1] },
              ],
            },
          },
        },
      ]);
      return result.modifiedCount;
    },

    async clearRefreshRequest(sessionId: string, requestedAt: Date): Promise<boolean> {
      checkSessionId('clearRefreshRequest', sessionId);
      const at = checkDate('clearRefreshRequest', requestedAt, 'requestedAt');
      const result = await sessions.updateOne(
        { _id: sessionId, refreshRequestedAt: at },
        { $set: { refreshRequestedAt: null } },
      );
      return result.modifiedCount === 1;
    },

    async cleanup(cleanupInput: CleanupInput): Promise<CleanupResult> {
      const result = await cleanupIn(sessions, devices, cleanupInput);
      await held.cleanupHeld(cleanupInput.liveness.now);
      return result;
    },
  };
}
