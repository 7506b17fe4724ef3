import {
  type CleanupResult,
  type CreateOptions,
  type CreateResult,
  type EndAllBatch,
  type EndAllResult,
  type EndedSessionStatus,
  type EndGuard,
  type EndTransition,
  InvalidInputError,
  isLive,
  isWellFormedText,
  type KnownDeviceRecord,
  type Liveness,
  legacyUserShard,
  type PageQuery,
  type RecordPage,
  type RefreshRotation,
  type RefreshRotationResult,
  type SessionLimit,
  type SessionRecord,
  type SessionStore,
  sessionIdShard,
  type TouchUpdate,
  type VerificationUpdate,
} from '@sessionkit/core';
import {
  type FederatedEndBatch,
  type FederatedMatch,
  hashToken,
  type PendingSignInRecord,
  type RefreshRequest,
  type RefreshTarget,
  type SessionOrigin,
  type SignInCompletion,
  type SignInCompletionResult,
  storedOrigin,
} from '@sessionkit/core/store';
import type { Cluster, Redis } from 'ioredis';
import { acrossShards } from './across-shards.js';
import { createCommandGate, type GateClient } from './command-gate.js';
import {
  cursorFields,
  decodeDevice,
  decodePage,
  decodeRecord,
  decodeRecordOrNull,
  encodeDevice,
  encodeRecord,
  previousDeviceKeys,
} from './record-codec.js';
import { END_ALL_CHUNK, inChunks, PAGE_CHUNK } from './script-chunks.js';
import { runCompleteSignIn } from './scripts/complete-sign-in.js';
import { runCreate } from './scripts/create.js';
import { type TransitionArgs, transitionFields } from './scripts/define.js';
import { runEnd } from './scripts/end.js';
import { runEndAll } from './scripts/end-all.js';
import { runEndFederated } from './scripts/end-federated.js';
import { runFederatedIndex } from './scripts/federated-index.js';
import { runFederatedPage } from './scripts/federated-page.js';
import { runForget } from './scripts/forget.js';
import { runGetOrigin } from './scripts/get-origin.js';
import { runHoldSignIn } from './scripts/hold-sign-in.js';
import { runLinkOrigin } from './scripts/link-origin.js';
import { runClearRefresh, runMarkRefresh, runMarkUserRefresh } from './scripts/mark-refresh.js';
import { type PageReply, runPage } from './scripts/page.js';
import { runRotate } from './scripts/rotate.js';
import { runTakeDevice } from './scripts/take-device.js';
import { runTouch } from './scripts/touch.js';
import { runVerify } from './scripts/verify.js';

export interface RedisStoreOptions {
  /**
   * A connected ioredis client: `new Redis(url)` or `new Redis.Cluster(nodes)`.
   * The store never closes it. It fails fast with any options (see `timeout`);
   * docs/adapters/redis.md recommends `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 1` and `autoResendUnfulfilledCommands: false`.
   */
  client: Redis | Cluster;
  /**
   * Prepended to every key, before the `{shard}` hash tag. It must not contain
   * `{` or `}`, or Redis Cluster would hash on it.
   * @default 'sk:'
   */
  prefix?: string;
  /**
   * Longest a store call may wait for Redis, in ms. Past it the call rejects
   * (the manager turns that into `SessionStoreError`), whatever the client's own
   * retry and offline-queue settings are.
   * @default 500
   */
  timeout?: number;
  /**
   * Clock (epoch ms) that turns `purgeAt` into key TTLs. Pass the manager's
   * `now` when tests drive time.
   * @default Date.now
   */
  now?: () => number;
}

/** An origin as linkOrigin stored it (JSON of the checked SessionOrigin). */
function decodeOrigin(value: string): SessionOrigin {
  return storedOrigin(JSON.parse(value) as SessionOrigin);
}

function checkUser(method: string, userId: string): void {
  // Redis receives strings as UTF-8: a lone surrogate becomes U+FFFD, so two
  // ids would share keys. The manager refuses such ids; the store does too.
  if (typeof userId !== 'string' || !isWellFormedText(userId)) {
    throw new InvalidInputError(`${method}: userId is not well-formed UTF-16 text.`);
  }
}

const idleOf = (liveness: Liveness) => liveness.idleTimeoutMs ?? -1;
const byExpiry = (r: SessionRecord) => r.expiresAt.getTime();
const byEnd = (r: SessionRecord) => r.endedAt?.getTime() ?? 0;
/**
 * A {@link SessionStore} on Redis (ioredis 5), standalone or Cluster.
 *
 * Each session is one string key (a `validate` is one GET), each user has a
 * sorted-set index of active sessions (scored by `expiresAt`) and of ended ones
 * (scored by `endedAt`); a listing page is one script that reads at most one
 * page of an index (`ZREVRANGEBYSCORE … LIMIT` + `MGET`), `revokeAll` is a
 * series of bounded batch scripts, and every conditional write is one Lua
 * script, atomic and one round trip. Every key carries a TTL derived from
 * `purgeAt`, so Redis expires the data itself; index members whose session
 * already expired are never listed or counted and are pruned lazily. All keys
 * of a user share the `{shard}` hash tag, so every script works on Redis Cluster.
 *
 * @example
 * import Redis from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL, {
 *   enableOfflineQueue: false,
 *   maxRetriesPerRequest: 1,
 *   autoResendUnfulfilledCommands: false,
 * });
 * const manager = createSessionManager({ store: createRedisStore({ client }) });
 */
export function createRedisStore(options: RedisStoreOptions): SessionStore {
  if (!options || typeof options !== 'object' || !options.client) {
    throw new InvalidInputError(
      'createRedisStore: pass { client }, an ioredis client such as new Redis(process.env.REDIS_URL).',
    );
  }
  // ioredis-mock (and anything else that is not an ioredis Redis or Cluster)
  // has no connection status; it also lacks cjson in its Lua, which every
  // script needs. Refused here rather than failing at the first call.
  if (typeof (options.client as { status?: unknown }).status !== 'string') {
    throw new InvalidInputError(
      'createRedisStore: the client is not an ioredis Redis or Cluster (it has no connection status). ' +
        'ioredis-mock is not supported (its Lua has no cjson): in tests use createMemoryStore() from ' +
        '@sessionkit/core, or a real redis-server (docs/testing.md).',
    );
  }
  const prefix = options.prefix ?? 'sk:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new InvalidInputError(
      "createRedisStore: prefix must be a string without '{' or '}' (the store adds its own hash tag).",
    );
  }
  const timeout = options.timeout ?? 500;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new InvalidInputError('createRedisStore: timeout must be a positive number of ms.');
  }
  const now = options.now ?? Date.now;
  const gate = createCommandGate(options.client as unknown as GateClient, timeout);
  const run = gate.script;

  const sessionKey = (id: string) => `${prefix}{${sessionIdShard(id)}}:sess:${id}`;
  // A held sign-in's key starts with its user's shard (see PendingSignInRecord.key).
  const pendingKey = (key: string) =>
    `${prefix}{${sessionIdShard(key)}}:pend:${key.slice(sessionIdShard(key).length)}`;
  // How the manager derives a user's shard (keyed with its secret, see
  // bindUserShard); the legacy unkeyed shard until a manager binds one.
  let shardOf: (userId: string) => string = legacyUserShard;
  const userKey = (
    kind: 'active' | 'ended' | 'devices' | 'device',
    userId: string,
    shard = shardOf(userId),
  ) => `${prefix}{${shard}}:${kind}:${userId}`;
  // Migration: sessions and devices created before the secret live under the
  // legacy shard until they expire; user-keyed reads and bulk writes visit it too.
  const shardsOf = (userId: string): string[] => {
    const current = shardOf(userId);
    const legacy = legacyUserShard(userId);
    return current === legacy ? [current] : [current, legacy];
  };
  /**
   * One page script per shard the user's records live in, each reply decoded
   * and the pages merged in listing order (across-shards.ts). `positionOf` is
   * the index score the script pages by.
   */
  const pageOverShards = (
    userId: string,
    positionOf: (record: SessionRecord) => number,
    runShard: (shard: string) => Promise<PageReply>,
    keep: 'page' | 'all' = 'page',
  ): Promise<RecordPage> =>
    acrossShards(
      shardsOf(userId),
      positionOf,
      async (shard) => decodePage(userId, await runShard(shard)),
      keep,
    );
  /** A page of the user's `active` (by expiresAt) or `ended` (by endedAt) index. */
  const pageOfIndex = (
    kind: 'active' | 'ended',
    userId: string,
    query: PageQuery,
    statuses: string,
  ): Promise<RecordPage> =>
    pageOverShards(userId, kind === 'active' ? byExpiry : byEnd, (shard) =>
      inChunks(query.limit, cursorFields(query.after), PAGE_CHUNK, (limit, cursor) =>
        runPage(
          run,
          { index: userKey(kind, userId, shard) },
          { indexSuffix: `${kind}:${userId}`, limit, ...cursor, statuses },
        ),
      ),
    );
  // Federated sign-out: a session's origin lives beside it (same slot); the
  // (issuer, sid) and (issuer, subject) indexes of one issuer share the
  // issuer's hash tag, so adding a session to both is one script. On Cluster
  // the index slot differs from the sessions' slots: endFederated reads a page
  // of the index, ends each session in its own slot, then prunes the index.
  const originKey = (id: string) => `${prefix}{${sessionIdShard(id)}}:origin:${id}`;
  const federatedKey = (kind: 'fsid' | 'fsub', issuer: string, value: string) =>
    `${prefix}{fed:${hashToken(issuer).slice(0, 22)}}:${kind}:${hashToken(`${issuer}\u0000${value}`)}`;
  const federatedMember = (createdAt: number, id: string) =>
    `${String(createdAt).padStart(15, '0')}:${id}`;

  // Relative TTLs from the store's clock: immune to skew between app and Redis clocks.
  const ttlUntil = (at: Date) => Math.max(1, Math.ceil(at.getTime() - now()));

  const transitionOf = (transition: EndTransition): TransitionArgs => ({
    status: transition.status,
    reason: transition.reason,
    endedAt: transition.endedAt.getTime(),
    purgeAt: transition.purgeAt.getTime(),
    ttl: ttlUntil(transition.purgeAt),
    historyCap: transition.historyCap,
  });
  // No limit: the eviction fields are never read.
  const NO_EVICTION: TransitionArgs = {
    status: '',
    reason: '',
    endedAt: 0,
    purgeAt: 0,
    ttl: 1,
    historyCap: 0,
  };

  return {
    async create(
      record: SessionRecord,
      limit: SessionLimit | null,
      options: CreateOptions,
    ): Promise<CreateResult> {
      checkUser('create', record.userId);
      // Migration: a device known under the legacy shard moves to the current
      // one (a separate slot on Cluster, so a step of its own before the create).
      let carried = '';
      const [current, legacy] = shardsOf(record.userId);
      // The user keys go in the slot of the session id (a record created with
      // a legacy id, e.g. by another instance mid-upgrade, stays with its kind).
      const idShard = sessionIdShard(record.id);
      const shard = idShard === legacy ? legacy : (current as string);
      if (legacy !== undefined && idShard === current) {
        const keys = [record.deviceKey, ...previousDeviceKeys(options).split(' ')].filter(Boolean);
        const taken = await runTakeDevice(
          run,
          {
            devices: userKey('devices', record.userId, legacy),
            device: userKey('device', record.userId, legacy),
          },
          { deviceKeys: keys.join(' ') },
        );
        if (taken !== null) carried = taken;
      }
      const eviction = limit ? transitionOf(limit.eviction) : NO_EVICTION;
      const reply = await runCreate(
        run,
        {
          session: sessionKey(record.id),
          active: userKey('active', record.userId, shard),
          devices: userKey('devices', record.userId, shard),
          device: userKey('device', record.userId, shard),
        },
        {
          value: encodeRecord(record),
          id: record.id,
          ttl: ttlUntil(record.purgeAt),
          expiresAt: record.expiresAt.getTime(),
          deviceKey: record.deviceKey,
          purgeAt: record.purgeAt.getTime(),
          now: limit ? limit.liveness.now.getTime() : record.createdAt.getTime(),
          max: limit ? limit.max : 0,
          onExceed: limit ? limit.onExceed : '',
          idle: limit ? idleOf(limit.liveness) : -1,
          ...transitionFields('evict', eviction),
          deviceBody: encodeDevice(record),
          createdAt: record.createdAt.getTime(),
          storeNow: now(),
          deviceCap: options.deviceCap,
          previousDeviceKeys: previousDeviceKeys(options),
          carriedDevice: carried,
        },
      );
      if (reply[0] === 'limit_reached') return { outcome: 'limit_reached', activeCount: reply[1] };
      const [, known, ...evicted] = reply;
      return {
        outcome: 'created',
        session: decodeRecord(encodeRecord(record)),
        evicted: evicted.map(decodeRecord),
        knownDevice: known === 1,
      };
    },

    // The validate hot path: one GET, through the gate's fast path when the client is ready.
    get(sessionId: string): Promise<SessionRecord | null> {
      return gate.send<string | null>('get', [sessionKey(sessionId)]).then(decodeRecordOrNull);
    },

    async listActive(userId: string, query: PageQuery): Promise<RecordPage> {
      checkUser('listActive', userId);
      return pageOfIndex('active', userId, query, 'ACTIVE');
    },

    async listEnded(
      userId: string,
      query: PageQuery & { statuses: readonly EndedSessionStatus[] },
    ): Promise<RecordPage> {
      checkUser('listEnded', userId);
      return pageOfIndex('ended', userId, query, query.statuses.join(' '));
    },

    touch(sessionId: string, update: TouchUpdate): Promise<boolean> {
      return runTouch(
        run,
        { session: sessionKey(sessionId) },
        {
          at: update.at.getTime(),
          ifLastActivityAtOrBefore: update.ifLastActivityAtOrBefore.getTime(),
          now: update.liveness.now.getTime(),
          idle: idleOf(update.liveness),
        },
      );
    },

    async end(
      sessionId: string,
      transition: EndTransition,
      guard: EndGuard,
    ): Promise<SessionRecord | null> {
      const t = transitionOf(transition);
      const value = await runEnd(
        run,
        { session: sessionKey(sessionId) },
        {
          id: sessionId,
          ...transitionFields('end', t),
          guardUserId: guard.userId ?? '',
          guardTokenHash: guard.tokenHash ?? '',
          checkUserId: guard.userId === null ? '0' : '1',
          checkTokenHash: guard.tokenHash === null ? '0' : '1',
        },
      );
      return decodeRecordOrNull(value);
    },

    async endAllForUser(
      userId: string,
      transition: EndTransition,
      batch: EndAllBatch,
    ): Promise<EndAllResult> {
      checkUser('endAllForUser', userId);
      const t = transitionOf(transition);
      const { records, next } = await pageOverShards(
        userId,
        byExpiry,
        (shard) =>
          inChunks(batch.limit, cursorFields(batch.after), END_ALL_CHUNK, (limit, cursor) =>
            runEndAll(
              run,
              {
                active: userKey('active', userId, shard),
                ended: userKey('ended', userId, shard),
              },
              {
                userId,
                exceptId: batch.exceptSessionId ?? '',
                ...transitionFields('end', t),
                now: batch.liveness.now.getTime(),
                idle: idleOf(batch.liveness),
                createdAtOrBefore: batch.createdAtOrBefore.getTime(),
                limit,
                ...cursor,
              },
            ),
          ),
        'all',
      );
      return { ended: records, next };
    },

    async rotateRefreshToken(
      sessionId: string,
      rotation: RefreshRotation,
    ): Promise<RefreshRotationResult> {
      const t = transitionOf(rotation.onReuse);
      const reply = await runRotate(
        run,
        { session: sessionKey(sessionId) },
        {
          id: sessionId,
          presentedHash: rotation.presentedHash,
          tokenHash: rotation.tokenHash,
          refreshTokenHash: rotation.refreshTokenHash,
          at: rotation.at.getTime(),
          now: rotation.liveness.now.getTime(),
          idle: idleOf(rotation.liveness),
          maxRetiredHashes: rotation.maxRetiredHashes,
          graceSince: rotation.reuseGraceSince === null ? -1 : rotation.reuseGraceSince.getTime(),
          ...transitionFields('reuse', t),
        },
      );
      switch (reply[0]) {
        case 'reused':
          return { outcome: 'reused', session: decodeRecord(reply[1]), revoked: reply[2] === 1 };
        case 'rotated':
          return { outcome: 'rotated', session: decodeRecord(reply[1]) };
        case 'inactive':
          return { outcome: 'inactive', session: decodeRecord(reply[1]) };
        case 'grace':
          return { outcome: 'grace', session: decodeRecord(reply[1]) };
        default:
          return { outcome: 'not_found' };
      }
    },

    // One HGETALL: entries past purgeAt that no create has pruned yet are skipped.
    async listDevices(userId: string): Promise<KnownDeviceRecord[]> {
      checkUser('listDevices', userId);
      const at = now();
      const devices = new Map<string, KnownDeviceRecord>();
      for (const shard of shardsOf(userId)) {
        const entries = await gate.send<Record<string, string>>(
          'hgetall',
          [userKey('device', userId, shard)],
          'listDevices',
        );
        for (const [id, value] of Object.entries(entries)) {
          const device = decodeDevice(userId, id, value);
          if (device && device.purgeAt.getTime() > at && !devices.has(id)) devices.set(id, device);
        }
      }
      return [...devices.values()];
    },

    async forgetDevice(userId: string, deviceId: string): Promise<boolean> {
      let removed = false;
      for (const shard of shardsOf(userId)) {
        const forgot = await runForget(
          run,
          { devices: userKey('devices', userId, shard), device: userKey('device', userId, shard) },
          { deviceId, storeNow: now() },
        );
        removed = removed || forgot;
      }
      return removed;
    },

    async holdSignIn(pending: PendingSignInRecord): Promise<void> {
      checkUser('holdSignIn', pending.userId);
      await runHoldSignIn(
        run,
        { pending: pendingKey(pending.key) },
        {
          value: JSON.stringify({
            userId: pending.userId,
            expiresAt: pending.expiresAt.getTime(),
            payload: pending.payload,
          }),
          ttl: ttlUntil(pending.expiresAt),
        },
      );
    },

    async getPendingSignIn(key: string, at: Date): Promise<PendingSignInRecord | null> {
      const value = await gate.send<string | null>('get', [pendingKey(key)]);
      if (value === null) return null;
      const held = JSON.parse(value) as { userId: string; expiresAt: number; payload: string };
      if (held.expiresAt <= at.getTime()) return null;
      return {
        key,
        userId: held.userId,
        expiresAt: new Date(held.expiresAt),
        payload: held.payload,
      };
    },

    async completeSignIn(
      key: string,
      completion: SignInCompletion,
    ): Promise<SignInCompletionResult> {
      const { record, limit, userId } = completion;
      checkUser('completeSignIn', userId);
      const shard = sessionIdShard(record.id);
      // On Cluster every key of the step must share the user's slot: a chosen
      // session or hold in another shard (a legacy id, another user) is no choice.
      if (sessionIdShard(key) !== shard) return { outcome: 'not_found' };
      if (sessionIdShard(completion.endSessionId) !== shard) return { outcome: 'choice_invalid' };
      const end = transitionOf(completion.end);
      const reply = await runCompleteSignIn(
        run,
        {
          session: sessionKey(record.id),
          active: userKey('active', userId, shard),
          devices: userKey('devices', userId, shard),
          device: userKey('device', userId, shard),
          pending: pendingKey(key),
          chosen: sessionKey(completion.endSessionId),
        },
        {
          value: encodeRecord(record),
          id: record.id,
          ttl: ttlUntil(record.purgeAt),
          expiresAt: record.expiresAt.getTime(),
          deviceKey: record.deviceKey,
          purgeAt: record.purgeAt.getTime(),
          now: limit.liveness.now.getTime(),
          // The limit was checked before the insert; CREATE's own check is off.
          max: 0,
          onExceed: '',
          idle: idleOf(limit.liveness),
          evictStatus: NO_EVICTION.status,
          evictReason: NO_EVICTION.reason,
          evictAt: NO_EVICTION.endedAt,
          evictPurgeAt: NO_EVICTION.purgeAt,
          evictTtl: NO_EVICTION.ttl,
          evictHistoryCap: NO_EVICTION.historyCap,
          deviceBody: encodeDevice(record),
          createdAt: record.createdAt.getTime(),
          storeNow: now(),
          deviceCap: completion.options.deviceCap,
          previousDeviceKeys: previousDeviceKeys(completion.options),
          carriedDevice: '',
          userId,
          endId: completion.endSessionId,
          limitMax: limit.max,
          endStatus: end.status,
          endReason: end.reason,
          endAt: end.endedAt,
          endPurgeAt: end.purgeAt,
          endTtl: end.ttl,
          endHistoryCap: end.historyCap,
        },
      );
      switch (reply[0]) {
        case 'not_found':
          return { outcome: 'not_found' };
        case 'choice_invalid':
          return { outcome: 'choice_invalid' };
        case 'limit_reached':
          return { outcome: 'limit_reached', activeCount: reply[1] };
        default:
          return {
            outcome: 'created',
            session: decodeRecord(encodeRecord(record)),
            ended: decodeRecord(reply[2]),
            knownDevice: reply[1] === 1,
          };
      }
    },

    bindUserShard(fn: (userId: string) => string): void {
      if (typeof fn !== 'function') {
        throw new InvalidInputError('bindUserShard: pass a function (userId) => shard.');
      }
      shardOf = fn;
    },

    async markVerified(
      sessionId: string,
      update: VerificationUpdate,
    ): Promise<SessionRecord | null> {
      const value = await runVerify(
        run,
        { session: sessionKey(sessionId) },
        {
          verifiedAt: update.verification.verifiedAt.getTime(),
          method: update.verification.method,
          now: update.liveness.now.getTime(),
          idle: idleOf(update.liveness),
          ownerUserId: update.userId ?? '',
          checkOwner: update.userId === null ? '0' : '1',
        },
      );
      return decodeRecordOrNull(value);
    },

    // Redis expires every key by its TTL and the scripts prune index members
    // lazily; expired-but-ACTIVE sessions are marked EXPIRED by the manager
    // when it next reads them.
    async cleanup(): Promise<CleanupResult> {
      return { expired: [], purged: 0 };
    },

    async requestRefresh(target: RefreshTarget, request: RefreshRequest): Promise<number> {
      const at = request.at.getTime();
      const now = request.liveness.now.getTime();
      const idle = idleOf(request.liveness);
      if (target.userId === undefined) {
        return runMarkRefresh(
          run,
          { session: sessionKey(target.sessionId) },
          {
            at,
            now,
            idle,
            ownerUserId: target.ownerUserId ?? '',
            checkOwner: target.ownerUserId === null ? '0' : '1',
          },
        );
      }
      const { userId } = target;
      checkUser('requestRefresh', userId);
      // One script per shard the user's sessions live under (one, once no
      // pre-secret session is left).
      const counts = await Promise.all(
        shardsOf(userId).map((shard) =>
          runMarkUserRefresh(
            run,
            { active: userKey('active', userId, shard) },
            { userId, at, now, idle },
          ),
        ),
      );
      return counts.reduce((sum, n) => sum + n, 0);
    },

    async clearRefreshRequest(sessionId: string, requestedAt: Date): Promise<boolean> {
      return runClearRefresh(
        run,
        { session: sessionKey(sessionId) },
        { requestedAt: requestedAt.getTime() },
      );
    },

    // --- Federated sign-out (issue 16) ---

    async linkOrigin(
      sessionId: string,
      origin: SessionOrigin,
      liveness: Liveness,
    ): Promise<boolean> {
      const record = decodeRecordOrNull(
        await gate.send<string | null>('get', [sessionKey(sessionId)], 'linkOrigin'),
      );
      if (!record || !isLive(record, liveness)) return false;
      // The index entries first: if the origin write then fails, a stale entry
      // is dropped by the next endFederated; the reverse would leave a session
      // its provider cannot end.
      await runFederatedIndex(
        run,
        {
          bySubject: federatedKey('fsub', origin.issuer, origin.subject),
          bySid: federatedKey('fsid', origin.issuer, origin.sid ?? ''),
        },
        {
          member: federatedMember(record.createdAt.getTime(), sessionId),
          ttl: ttlUntil(record.expiresAt),
          hasSid: origin.sid === null ? '0' : '1',
        },
      );
      return runLinkOrigin(
        run,
        { session: sessionKey(sessionId), origin: originKey(sessionId) },
        {
          value: JSON.stringify(origin),
          now: liveness.now.getTime(),
          idle: idleOf(liveness),
          storeNow: now(),
        },
      );
    },

    async getOrigin(sessionId: string): Promise<SessionOrigin | null> {
      const value = await runGetOrigin(
        run,
        { session: sessionKey(sessionId), origin: originKey(sessionId) },
        {},
      );
      return value === null ? null : decodeOrigin(value);
    },

    async endFederated(
      match: FederatedMatch,
      transition: EndTransition,
      batch: FederatedEndBatch,
    ): Promise<EndAllResult> {
      const index =
        match.sid !== null
          ? federatedKey('fsid', match.issuer, match.sid)
          : match.subject !== null
            ? federatedKey('fsub', match.issuer, match.subject)
            : null;
      if (index === null) return { ended: [], next: null };
      const after = batch.after;
      const members = await runFederatedPage(
        run,
        { index },
        {
          remove: '',
          after: after === null ? '-' : `(${federatedMember(after.at.getTime(), after.id)}`,
          // ';' sorts right after ':', so every member of that millisecond is in range.
          max: `(${String(batch.createdAtOrBefore.getTime()).padStart(15, '0')};`,
          limit: batch.limit + 1,
        },
      );
      const examined = members.slice(0, batch.limit);
      const t = transitionOf(transition);
      const replies = await Promise.all(
        examined.map((member) => {
          const id = member.slice(member.indexOf(':') + 1);
          return runEndFederated(
            run,
            { session: sessionKey(id), origin: originKey(id) },
            {
              id,
              issuer: match.issuer,
              sid: match.sid ?? '',
              subject: match.subject ?? '',
              now: batch.liveness.now.getTime(),
              idle: idleOf(batch.liveness),
              createdAtOrBefore: batch.createdAtOrBefore.getTime(),
              endStatus: t.status,
              endReason: t.reason,
              endAt: t.endedAt,
              endPurgeAt: t.purgeAt,
              endTtl: t.ttl,
              endHistoryCap: t.historyCap,
            },
          );
        }),
      );
      const ended: SessionRecord[] = [];
      const remove: string[] = [];
      replies.forEach((reply, i) => {
        if (reply[0] === 'keep') return;
        remove.push(examined[i] as string);
        if (reply[0] === 'ended') ended.push(decodeRecord(reply[1]));
      });
      if (remove.length > 0) {
        await runFederatedPage(
          run,
          { index },
          { remove: remove.join(' '), after: '-', max: '+', limit: 0 },
        );
      }
      const last = examined[examined.length - 1];
      const next =
        members.length > batch.limit && last !== undefined
          ? {
              at: new Date(Number(last.slice(0, last.indexOf(':')))),
              id: last.slice(last.indexOf(':') + 1),
            }
          : null;
      return { ended, next };
    },
  };
}
