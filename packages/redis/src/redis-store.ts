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
  isWellFormedText,
  type KnownDeviceRecord,
  type Liveness,
  legacyUserShard,
  type PageCursor,
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
import type { Cluster, Redis } from 'ioredis';
import { SCRIPTS, type Script } from './scripts.js';

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

// The slice of the ioredis API the store uses; `Redis` and `Cluster` both have it.
interface Commands {
  readonly status: string;
  readonly isCluster?: boolean;
  connect(): Promise<void>;
  once(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  get(key: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  evalsha(sha: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

interface Head {
  userId: string;
  status: SessionRecord['status'];
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  endedAt: number | null;
  endReason: string | null;
  purgeAt: number;
  tokenHash: string;
  refreshTokenHash: string | null;
  retiredRefreshTokenHashes: string[] | Record<string, never>;
  /** Written by the verify script; absent in records stored before it existed. */
  verification?: { verifiedAt: number; method: string } | null;
}

type Body = Pick<
  SessionRecord,
  'id' | 'ipAddress' | 'userAgent' | 'deviceInfo' | 'location' | 'metadata' | 'deviceKey'
> & {
  /** Absent in records stored before it existed. */
  risk?: SessionRecord['risk'];
};

/** The body of a known-device entry; the scripts prepend `<firstSeenAt>:<purgeAt>:`. */
interface DeviceBody {
  deviceInfo: KnownDeviceRecord['deviceInfo'];
  lastSeenAt: number;
  lastIpAddress: string | null;
  lastLocation: KnownDeviceRecord['lastLocation'];
}

/** `<head>\n<body>`: the head is what Lua scripts read and rewrite, the body passes through. */
function encode(record: SessionRecord): string {
  const head: Head = {
    userId: record.userId,
    status: record.status,
    createdAt: record.createdAt.getTime(),
    lastActivityAt: record.lastActivityAt.getTime(),
    expiresAt: record.expiresAt.getTime(),
    endedAt: record.endedAt === null ? null : record.endedAt.getTime(),
    endReason: record.endReason,
    purgeAt: record.purgeAt.getTime(),
    tokenHash: record.tokenHash,
    refreshTokenHash: record.refreshTokenHash,
    retiredRefreshTokenHashes: record.retiredRefreshTokenHashes,
    verification:
      record.verification === null
        ? null
        : {
            verifiedAt: record.verification.verifiedAt.getTime(),
            method: record.verification.method,
          },
  };
  const body: Body = {
    id: record.id,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    deviceInfo: record.deviceInfo,
    location: record.location,
    metadata: record.metadata,
    deviceKey: record.deviceKey,
    risk: record.risk,
  };
  return `${JSON.stringify(head)}\n${JSON.stringify(body)}`;
}

function decode(value: string): SessionRecord {
  const split = value.indexOf('\n');
  const head = JSON.parse(value.slice(0, split)) as Head;
  const body = JSON.parse(value.slice(split + 1)) as Body;
  return {
    id: body.id,
    userId: head.userId,
    status: head.status,
    ipAddress: body.ipAddress,
    userAgent: body.userAgent,
    deviceInfo: body.deviceInfo,
    location: body.location,
    createdAt: new Date(head.createdAt),
    lastActivityAt: new Date(head.lastActivityAt),
    expiresAt: new Date(head.expiresAt),
    endedAt: head.endedAt === null ? null : new Date(head.endedAt),
    endReason: head.endReason,
    metadata: body.metadata,
    tokenHash: head.tokenHash,
    refreshTokenHash: head.refreshTokenHash,
    // cjson writes an empty array as `{}`.
    retiredRefreshTokenHashes: Array.isArray(head.retiredRefreshTokenHashes)
      ? head.retiredRefreshTokenHashes
      : [],
    deviceKey: body.deviceKey,
    purgeAt: new Date(head.purgeAt),
    risk: body.risk ?? null,
    verification: head.verification
      ? { verifiedAt: new Date(head.verification.verifiedAt), method: head.verification.method }
      : null,
  };
}

function encodeDevice(record: SessionRecord): string {
  const body: DeviceBody = {
    deviceInfo: record.deviceInfo,
    lastSeenAt: record.createdAt.getTime(),
    lastIpAddress: record.ipAddress,
    lastLocation: record.location,
  };
  return JSON.stringify(body);
}

const DEVICE_ENTRY = /^(\d+):(\d+):/;
const DEVICE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** The previous device keys as the script's space-separated argument (well-formed keys only). */
function previousDeviceKeys(options: CreateOptions | undefined): string {
  const keys = options?.previousDeviceKeys;
  if (!Array.isArray(keys)) return '';
  return keys.filter((k) => typeof k === 'string' && DEVICE_KEY.test(k)).join(' ');
}

function decodeDevice(userId: string, id: string, value: string): KnownDeviceRecord | null {
  const times = DEVICE_ENTRY.exec(value);
  if (!times) return null;
  const body = JSON.parse(value.slice(times[0].length)) as DeviceBody;
  return {
    id,
    userId,
    deviceInfo: body.deviceInfo,
    firstSeenAt: new Date(Number(times[1])),
    lastSeenAt: new Date(body.lastSeenAt),
    lastIpAddress: body.lastIpAddress,
    lastLocation: body.lastLocation,
    purgeAt: new Date(Number(times[2])),
  };
}

function decodeOrNull(value: string | null): SessionRecord | null {
  return value === null ? null : decode(value);
}

function decodeAll(values: unknown): SessionRecord[] {
  return (values as string[]).map(decode);
}

/**
 * A paged script reply `{next score, next id, value...}`. Records of any other
 * user are dropped (defence in depth: keys embed the user id, but a reply must
 * never carry a record the caller did not ask for).
 */
function decodePage(userId: string, reply: unknown): RecordPage {
  const [score, id, ...values] = reply as string[];
  const records = values.map(decode).filter((r) => r.userId === userId);
  const next: PageCursor | null =
    score === '' || score === undefined || id === undefined
      ? null
      : { at: new Date(Number(score)), id };
  return { records, next };
}

/** Listing order of two positions: score, then id (as Redis orders equal scores). */
function comparePosition(a: PageCursor, b: PageCursor): number {
  return a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Cursor arguments of the paged scripts. */
const cursorArgs = (after: PageCursor | null) =>
  after === null ? ['', ''] : [after.at.getTime(), after.id];

function checkUser(method: string, userId: string): void {
  // Redis receives strings as UTF-8: a lone surrogate becomes U+FFFD, so two
  // ids would share keys. The manager refuses such ids; the store does too.
  if (typeof userId !== 'string' || !isWellFormedText(userId)) {
    throw new InvalidInputError(`${method}: userId is not well-formed UTF-16 text.`);
  }
}

const idleOf = (liveness: Liveness) => liveness.idleTimeoutMs ?? -1;

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
  const client = options.client as unknown as Commands;

  const sessionKey = (id: string) => `${prefix}{${sessionIdShard(id)}}:sess:${id}`;
  // How the manager derives a user's shard (keyed with its secret, see
  // bindUserShard); the legacy unkeyed shard until a manager binds one.
  let shardOf: (userId: string) => string = legacyUserShard;
  const userKey = (
    kind: 'active' | 'ended' | 'devices' | 'device',
    userId: string,
    shard = shardOf(userId),
  ) => `${prefix}{${shard}}:${kind}:${userId}`;
  const userKeyIn = userKey;
  // Migration: sessions and devices created before the secret live under the
  // legacy shard until they expire; user-keyed reads and bulk writes visit it too.
  const shardsOf = (userId: string): string[] => {
    const current = shardOf(userId);
    const legacy = legacyUserShard(userId);
    return current === legacy ? [current] : [current, legacy];
  };
  // Relative TTLs from the store's clock: immune to skew between app and Redis clocks.
  const ttlUntil = (at: Date) => Math.max(1, Math.ceil(at.getTime() - now()));

  // The store never hands ioredis a command it would park in its offline queue:
  // a queued command still runs once the connection is back, long after its
  // call failed (a session the caller was told was not created, or a refresh
  // rotation the client never saw, which would then read as token reuse). While
  // a connection attempt is in progress (startup, lazyConnect) calls wait for it,
  // up to `timeout`; while the connection is down they fail at once.
  const waiting = new Set<() => void>();
  const onReady = () => {
    const ready = [...waiting];
    waiting.clear();
    for (const send of ready) send();
  };
  const CONNECTING = new Set(['wait', 'connecting', 'connect']);

  // One sweeper for all calls in flight instead of a timer per call: a call
  // rejects between `timeout` and `timeout + tick` ms.
  interface InFlight {
    deadline: number;
    operation: string;
    send: () => void;
    reject: (error: Error) => void;
  }
  const inFlight = new Set<InFlight>();
  const tick = Math.max(1, Math.min(50, Math.floor(timeout / 10)));
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const sweep = () => {
    const at = performance.now();
    for (const call of inFlight) {
      if (call.deadline > at) continue;
      inFlight.delete(call);
      if (waiting.delete(call.send) && waiting.size === 0) client.off('ready', onReady);
      call.reject(
        new Error(
          `Redis did not answer ${call.operation} within ${timeout} ms (server down or overloaded?)`,
        ),
      );
    }
    if (inFlight.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  // A standalone client configured to fail fast on its own (no offline queue,
  // commandTimeout within ours) needs no guard around a command sent while it is
  // ready: skipping the guard saves a promise and a bookkeeping entry per call
  // on the validate() hot path.
  const own = (
    options.client as { options?: { enableOfflineQueue?: unknown; commandTimeout?: unknown } }
  ).options;
  const clientFailsFast =
    !('nodes' in options.client) &&
    own?.enableOfflineQueue === false &&
    typeof own.commandTimeout === 'number' &&
    own.commandTimeout <= timeout;

  /** Sends when the client is ready; rejects within `timeout` ms whatever the client's own retry settings. */
  function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    const status = client.status;
    if (status === 'ready' && clientFailsFast) return send();
    if (status !== 'ready' && !CONNECTING.has(status)) {
      return Promise.reject(
        new Error(`Redis connection is ${status}; ${operation} was not sent (server down?)`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const pending: InFlight = {
        deadline: performance.now() + timeout,
        operation,
        reject,
        send: () => {
          if (!inFlight.has(pending)) return;
          send().then(
            (value) => {
              inFlight.delete(pending);
              resolve(value);
            },
            (error: unknown) => {
              inFlight.delete(pending);
              reject(error);
            },
          );
        },
      };
      inFlight.add(pending);
      if (sweeper === undefined) {
        sweeper = setInterval(sweep, tick);
        sweeper.unref();
      }
      if (status === 'ready') return pending.send();
      if (waiting.size === 0) client.once('ready', onReady);
      waiting.add(pending.send);
      // A lazyConnect client connects on its first command; this store sends none until ready.
      if (status === 'wait') client.connect().catch(() => {});
    });
  }

  async function runScript(script: Script, args: (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(script.sha, script.numberOfKeys, ...args);
    } catch (error) {
      // Empty script cache (first call, restart, failover): send the source once.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return client.eval(script.lua, script.numberOfKeys, ...args);
      }
      throw error;
    }
  }

  const run = (script: Script, args: (string | number)[]) =>
    call(script.name, () => runScript(script, args));

  /**
   * Pages over every shard a user's records may live in — two only while the
   * shard migration lasts (see `shardsOf`). Each shard is read from the same
   * cursor and the pages are merged in listing order up to the position the
   * least advanced shard reached, so across pages no record is skipped or
   * repeated. `keep: 'all'` keeps records past that position too (endAll: they
   * were already ended and left the active index, so no later batch sees them).
   */
  async function acrossShards(
    userId: string,
    positionOf: (record: SessionRecord) => number,
    read: (shard: string) => Promise<RecordPage>,
    keep: 'page' | 'all' = 'page',
  ): Promise<RecordPage> {
    const shards = shardsOf(userId);
    if (shards.length === 1) return read(shards[0] as string);
    const pages = await Promise.all(shards.map(read));
    // Descending order: the least advanced shard stopped at the greatest position.
    let next: PageCursor | null = null;
    for (const page of pages) {
      if (page.next !== null && (next === null || comparePosition(page.next, next) > 0)) {
        next = page.next;
      }
    }
    const bound = next;
    const records = pages
      .flatMap((page) => page.records)
      .filter(
        (r) =>
          keep === 'all' ||
          bound === null ||
          comparePosition({ at: new Date(positionOf(r)), id: r.id }, bound) >= 0,
      )
      .sort((x, y) =>
        comparePosition(
          { at: new Date(positionOf(y)), id: y.id },
          { at: new Date(positionOf(x)), id: x.id },
        ),
      );
    return { records, next };
  }

  const endArgs = (transition: EndTransition) => [
    transition.status,
    transition.reason,
    transition.endedAt.getTime(),
    transition.purgeAt.getTime(),
    ttlUntil(transition.purgeAt),
    transition.historyCap,
  ];

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
        const taken = await run(SCRIPTS.takeDevice, [
          userKey('devices', record.userId, legacy),
          userKey('device', record.userId, legacy),
          keys.join(' '),
        ]);
        if (typeof taken === 'string') carried = taken;
      }
      const reply = (await run(SCRIPTS.create, [
        sessionKey(record.id),
        userKey('active', record.userId, shard),
        userKey('devices', record.userId, shard),
        userKey('device', record.userId, shard),
        encode(record),
        record.id,
        ttlUntil(record.purgeAt),
        record.expiresAt.getTime(),
        record.deviceKey,
        record.purgeAt.getTime(),
        limit ? limit.liveness.now.getTime() : record.createdAt.getTime(),
        limit ? limit.max : 0,
        limit ? limit.onExceed : '',
        limit ? idleOf(limit.liveness) : -1,
        ...(limit ? endArgs(limit.eviction) : ['', '', 0, 0, 1, 0]),
        encodeDevice(record),
        record.createdAt.getTime(),
        now(),
        options.deviceCap,
        previousDeviceKeys(options),
        carried,
      ])) as [string, number, ...string[]];
      if (reply[0] === 'limit_reached') return { outcome: 'limit_reached', activeCount: reply[1] };
      return {
        outcome: 'created',
        session: decode(encode(record)),
        evicted: decodeAll(reply.slice(2)),
        knownDevice: reply[1] === 1,
      };
    },

    // The validate hot path: one GET.
    async get(sessionId: string): Promise<SessionRecord | null> {
      return decodeOrNull(await call('get', () => client.get(sessionKey(sessionId))));
    },

    async listActive(userId: string, query: PageQuery): Promise<RecordPage> {
      checkUser('listActive', userId);
      return acrossShards(
        userId,
        (r) => r.expiresAt.getTime(),
        async (shard) =>
          decodePage(
            userId,
            await run(SCRIPTS.page, [
              userKey('active', userId, shard),
              `active:${userId}`,
              query.limit,
              ...cursorArgs(query.after),
              'ACTIVE',
            ]),
          ),
      );
    },

    async listEnded(
      userId: string,
      query: PageQuery & { statuses: readonly EndedSessionStatus[] },
    ): Promise<RecordPage> {
      checkUser('listEnded', userId);
      return acrossShards(
        userId,
        (r) => r.endedAt?.getTime() ?? 0,
        async (shard) =>
          decodePage(
            userId,
            await run(SCRIPTS.page, [
              userKey('ended', userId, shard),
              `ended:${userId}`,
              query.limit,
              ...cursorArgs(query.after),
              query.statuses.join(' '),
            ]),
          ),
      );
    },

    async touch(sessionId: string, update: TouchUpdate): Promise<boolean> {
      const wrote = await run(SCRIPTS.touch, [
        sessionKey(sessionId),
        sessionId,
        update.at.getTime(),
        update.ifLastActivityAtOrBefore.getTime(),
        update.liveness.now.getTime(),
        idleOf(update.liveness),
      ]);
      return wrote === 1;
    },

    async end(
      sessionId: string,
      transition: EndTransition,
      guard: EndGuard,
    ): Promise<SessionRecord | null> {
      const value = await run(SCRIPTS.end, [
        sessionKey(sessionId),
        sessionId,
        ...endArgs(transition),
        guard.userId ?? '',
        guard.tokenHash ?? '',
        guard.userId === null ? '0' : '1',
        guard.tokenHash === null ? '0' : '1',
      ]);
      return typeof value === 'string' ? decode(value) : null;
    },

    async endAllForUser(
      userId: string,
      transition: EndTransition,
      batch: EndAllBatch,
    ): Promise<EndAllResult> {
      checkUser('endAllForUser', userId);
      const { records, next } = await acrossShards(
        userId,
        (r) => r.expiresAt.getTime(),
        async (shard) =>
          decodePage(
            userId,
            await run(SCRIPTS.endAll, [
              userKey('active', userId, shard),
              userKey('ended', userId, shard),
              userId,
              batch.exceptSessionId ?? '',
              ...endArgs(transition),
              batch.liveness.now.getTime(),
              idleOf(batch.liveness),
              batch.createdAtOrBefore.getTime(),
              batch.limit,
              ...cursorArgs(batch.after),
            ]),
          ),
        'all',
      );
      return { ended: records, next };
    },

    async rotateRefreshToken(
      sessionId: string,
      rotation: RefreshRotation,
    ): Promise<RefreshRotationResult> {
      const reply = (await run(SCRIPTS.rotate, [
        sessionKey(sessionId),
        sessionId,
        rotation.presentedHash,
        rotation.tokenHash,
        rotation.refreshTokenHash,
        rotation.at.getTime(),
        rotation.liveness.now.getTime(),
        idleOf(rotation.liveness),
        rotation.maxRetiredHashes,
        ...endArgs(rotation.onReuse),
      ])) as [string, string?, number?];
      const [outcome, value, revoked] = reply;
      if (outcome === 'not_found' || value === undefined) return { outcome: 'not_found' };
      if (outcome === 'reused') return { outcome, session: decode(value), revoked: revoked === 1 };
      if (outcome === 'rotated') return { outcome, session: decode(value) };
      return { outcome: 'inactive', session: decode(value) };
    },

    // One HGETALL: entries past purgeAt that no create has pruned yet are skipped.
    async listDevices(userId: string): Promise<KnownDeviceRecord[]> {
      checkUser('listDevices', userId);
      const at = now();
      const devices = new Map<string, KnownDeviceRecord>();
      for (const shard of shardsOf(userId)) {
        const entries = await call('listDevices', () =>
          client.hgetall(userKey('device', userId, shard)),
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
        const reply = await run(SCRIPTS.forget, [
          userKey('devices', userId, shard),
          userKey('device', userId, shard),
          deviceId,
          now(),
        ]);
        removed = removed || reply === 1;
      }
      return removed;
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
      const value = await run(SCRIPTS.verify, [
        sessionKey(sessionId),
        update.verification.verifiedAt.getTime(),
        update.verification.method,
        update.liveness.now.getTime(),
        idleOf(update.liveness),
        update.userId ?? '',
        update.userId === null ? '0' : '1',
      ]);
      return typeof value === 'string' ? decode(value) : null;
    },

    // Redis expires every key by its TTL and the scripts prune index members
    // lazily; expired-but-ACTIVE sessions are marked EXPIRED by the manager
    // when it next reads them.
    async cleanup(): Promise<CleanupResult> {
      return { expired: [], purged: 0 };
    },
  };
}
