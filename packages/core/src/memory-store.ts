import type { EndedSessionStatus } from './session.js';
import {
  type CleanupInput,
  type CleanupResult,
  type CreateOptions,
  type CreateResult,
  type EndAllBatch,
  type EndAllResult,
  type EndGuard,
  type EndTransition,
  expiryOf,
  type FederatedEndBatch,
  type FederatedMatch,
  isLive,
  type KnownDeviceRecord,
  type Liveness,
  type PageCursor,
  type PageQuery,
  type PendingSignInRecord,
  type RecordPage,
  type RefreshRequest,
  type RefreshRotation,
  type RefreshRotationResult,
  type RefreshTarget,
  type SessionLimit,
  type SessionOrigin,
  type SessionRecord,
  type SessionStore,
  type SignInCompletion,
  type SignInCompletionResult,
  type VerificationUpdate,
} from './session-store.js';

const SWEEP_EVERY = 1000;

const federatedKey = (kind: 'sid' | 'sub', issuer: string, value: string) =>
  `${kind}\u0000${issuer}\u0000${value}`;

/** Whether a recorded origin is one of the sessions `match` names (every set field equal). */
function originMatches(origin: SessionOrigin, match: FederatedMatch): boolean {
  return (
    origin.issuer === match.issuer &&
    (match.sid === null || origin.sid === match.sid) &&
    (match.subject === null || origin.subject === match.subject)
  );
}

/** The reuse grace rule (see `RefreshRotation.reuseGraceSince`): the last token rotated out, recently. */
export function inReuseGrace(record: SessionRecord, rotation: RefreshRotation): boolean {
  const since = rotation.reuseGraceSince;
  const retired = record.retiredRefreshTokenHashes;
  return (
    since !== null &&
    retired[retired.length - 1] === rotation.presentedHash &&
    record.refreshRotatedAt != null &&
    record.refreshRotatedAt.getTime() >= since.getTime()
  );
}

const activeKey = (r: SessionRecord) => r.expiresAt.getTime();
const endedKey = (r: SessionRecord) => r.endedAt?.getTime() ?? 0;
const byKeyDesc =
  (key: (r: SessionRecord) => number) =>
  (a: SessionRecord, b: SessionRecord): number =>
    key(b) - key(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export interface MemoryStoreOptions {
  /**
   * Clock used to drop records whose `purgeAt` has passed; pass the same clock as
   * the manager's `now` in tests. @default Date.now
   */
  now?: () => number;
}

/**
 * An in-process {@link SessionStore}: the demo's default and the reference
 * implementation of the contract. Every method runs synchronously between two
 * awaits, so each is atomic with respect to concurrent async callers. Data lives
 * only as long as the process: use Redis or MongoDB in production.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): SessionStore {
  const now = options.now ?? Date.now;
  const records = new Map<string, SessionRecord>();
  const byUser = new Map<string, Set<string>>();
  const devices = new Map<string, Map<string, KnownDeviceRecord>>();
  // Federated sign-out: each session's origin, and session ids by (issuer, sid)
  // and (issuer, subject). Entries go with their record (see remove()).
  const origins = new Map<string, SessionOrigin>();
  const federated = new Map<string, Set<string>>();
  const federatedKeys = (origin: SessionOrigin): string[] => {
    const keys = [federatedKey('sub', origin.issuer, origin.subject)];
    if (origin.sid !== null) keys.push(federatedKey('sid', origin.issuer, origin.sid));
    return keys;
  };
  const unlinkOrigin = (id: string) => {
    const origin = origins.get(id);
    if (!origin) return;
    origins.delete(id);
    for (const key of federatedKeys(origin)) {
      const ids = federated.get(key);
      ids?.delete(id);
      if (ids?.size === 0) federated.delete(key);
    }
  };
  const pending = new Map<string, PendingSignInRecord>();

  const copy = (record: SessionRecord): SessionRecord => structuredClone(record);
  // Records nobody reads again are dropped by a sweep every SWEEP_EVERY creates,
  // so a long-running demo process does not grow without bound.
  let createsSinceSweep = 0;

  const remove = (id: string) => {
    const record = records.get(id);
    if (!record) return;
    records.delete(id);
    unlinkOrigin(id);
    const ids = byUser.get(record.userId);
    ids?.delete(id);
    if (ids?.size === 0) byUser.delete(record.userId);
  };

  /** A stored record unless its retention passed (then it is dropped, like a TTL would). */
  const read = (id: string): SessionRecord | undefined => {
    const record = records.get(id);
    if (record && record.purgeAt.getTime() <= now()) {
      remove(id);
      return undefined;
    }
    return record;
  };

  /** The user's live known-device entries, dropping those past purgeAt. */
  const userDevices = (userId: string): Map<string, KnownDeviceRecord> => {
    const entries = devices.get(userId) ?? new Map<string, KnownDeviceRecord>();
    for (const [id, device] of entries) {
      if (device.purgeAt.getTime() <= now()) entries.delete(id);
    }
    if (entries.size === 0) devices.delete(userId);
    return entries;
  };

  const rememberDevice = (record: SessionRecord, options: CreateOptions): boolean => {
    const entries = userDevices(record.userId);
    // A rotated device id: the entry found under a previous key moves here.
    let existing = entries.get(record.deviceKey);
    for (const key of options.previousDeviceKeys) {
      if (key === record.deviceKey) continue;
      existing ??= entries.get(key);
      entries.delete(key);
    }
    entries.set(record.deviceKey, {
      id: record.deviceKey,
      userId: record.userId,
      deviceInfo: structuredClone(record.deviceInfo),
      firstSeenAt: new Date((existing?.firstSeenAt ?? record.createdAt).getTime()),
      lastSeenAt: new Date(record.createdAt.getTime()),
      lastIpAddress: record.ipAddress,
      lastLocation: structuredClone(record.location),
      purgeAt: new Date(Math.max(existing?.purgeAt.getTime() ?? 0, record.purgeAt.getTime())),
    });
    devices.set(record.userId, entries);
    // Over the cap: drop the entries whose latest session is oldest (earliest purgeAt).
    if (entries.size > options.deviceCap) {
      const byAge = [...entries.values()].sort((a, b) => a.purgeAt.getTime() - b.purgeAt.getTime());
      for (const old of byAge.slice(0, entries.size - options.deviceCap)) entries.delete(old.id);
    }
    return existing !== undefined;
  };

  const userRecords = (userId: string): SessionRecord[] => {
    const ids = byUser.get(userId);
    if (!ids) return [];
    const result: SessionRecord[] = [];
    for (const id of [...ids]) {
      const record = read(id);
      if (record) result.push(record);
    }
    return result;
  };

  const applyEnd = (record: SessionRecord, transition: Omit<EndTransition, 'historyCap'>) => {
    record.status = transition.status;
    record.endReason = transition.reason;
    record.endedAt = new Date(transition.endedAt.getTime());
    record.purgeAt = new Date(transition.purgeAt.getTime());
  };

  /** applyEnd, then drops the user's ended records beyond the history cap, oldest ended first. */
  const endAndTrim = (record: SessionRecord, transition: EndTransition) => {
    applyEnd(record, transition);
    trim(record.userId, transition.historyCap);
  };

  const trim = (userId: string, historyCap: number) => {
    const ended = userRecords(userId).filter((r) => r.status !== 'ACTIVE');
    if (ended.length <= historyCap) return;
    ended.sort(byKeyDesc(endedKey));
    for (const old of ended.slice(historyCap)) remove(old.id);
  };

  /** A page of `list` (any order) in descending (key, id) order after `query.after`. */
  const page = (
    list: SessionRecord[],
    key: (r: SessionRecord) => number,
    query: PageQuery,
  ): { examined: SessionRecord[]; next: PageCursor | null } => {
    const after = query.after;
    const rest = (
      after === null
        ? list
        : list.filter((r) => {
            const k = key(r);
            return k < after.at.getTime() || (k === after.at.getTime() && r.id < after.id);
          })
    ).sort(byKeyDesc(key));
    const examined = rest.slice(0, query.limit);
    const last = examined[examined.length - 1];
    const next =
      rest.length > query.limit && last ? { at: new Date(key(last)), id: last.id } : null;
    return { examined, next };
  };

  const enforceLimit = (userId: string, limit: SessionLimit): CreateResult | SessionRecord[] => {
    const live = userRecords(userId).filter((r) => isLive(r, limit.liveness));
    if (live.length < limit.max) return [];
    if (limit.onExceed === 'reject') return { outcome: 'limit_reached', activeCount: live.length };
    live.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    const evicted = live.slice(0, live.length - limit.max + 1);
    for (const record of evicted) endAndTrim(record, limit.eviction);
    return evicted.map(copy);
  };

  /** Stores a new record and remembers its device (create()'s write, shared with completeSignIn). */
  const insert = (record: SessionRecord, options: CreateOptions) => {
    const stored = copy(record);
    records.set(stored.id, stored);
    let ids = byUser.get(stored.userId);
    if (!ids) {
      ids = new Set();
      byUser.set(stored.userId, ids);
    }
    ids.add(stored.id);
    const knownDevice = rememberDevice(stored, options);
    return { session: copy(stored), knownDevice };
  };

  /** A held sign-in unless it expired (then it is dropped, like a TTL would). */
  const readPending = (key: string, at: Date): PendingSignInRecord | undefined => {
    const held = pending.get(key);
    if (held && held.expiresAt.getTime() <= Math.max(at.getTime(), now())) {
      pending.delete(key);
      return undefined;
    }
    return held;
  };

  return {
    // Indexes by user id: the manager's user shard has nothing to choose here.
    bindUserShard() {},

    async create(
      record: SessionRecord,
      limit: SessionLimit | null,
      options: CreateOptions,
    ): Promise<CreateResult> {
      if (records.has(record.id)) throw new Error('memory store: duplicate session id');
      if (++createsSinceSweep >= SWEEP_EVERY) {
        createsSinceSweep = 0;
        for (const id of [...records.keys()]) read(id);
      }
      let evicted: SessionRecord[] = [];
      if (limit !== null) {
        const outcome = enforceLimit(record.userId, limit);
        if (!Array.isArray(outcome)) return outcome;
        evicted = outcome;
      }
      const { session, knownDevice } = insert(record, options);
      return { outcome: 'created', session, evicted, knownDevice };
    },

    async get(sessionId: string): Promise<SessionRecord | null> {
      const record = read(sessionId);
      return record ? copy(record) : null;
    },

    async listActive(userId: string, query: PageQuery): Promise<RecordPage> {
      const active = userRecords(userId).filter(
        (r) => r.status === 'ACTIVE' && r.userId === userId,
      );
      const { examined, next } = page(active, activeKey, query);
      return { records: examined.map(copy), next };
    },

    async listEnded(
      userId: string,
      query: PageQuery & { statuses: readonly EndedSessionStatus[] },
    ): Promise<RecordPage> {
      const ended = userRecords(userId).filter((r) => r.status !== 'ACTIVE' && r.userId === userId);
      const { examined, next } = page(ended, endedKey, query);
      const records = examined.filter((r) =>
        query.statuses.includes(r.status as EndedSessionStatus),
      );
      return { records: records.map(copy), next };
    },

    async touch(sessionId, update): Promise<boolean> {
      const record = read(sessionId);
      if (!record || !isLive(record, update.liveness)) return false;
      if (record.lastActivityAt.getTime() > update.ifLastActivityAtOrBefore.getTime()) return false;
      if (record.lastActivityAt.getTime() >= update.at.getTime()) return false;
      record.lastActivityAt = new Date(update.at.getTime());
      return true;
    },

    async end(
      sessionId: string,
      transition: EndTransition,
      guard: EndGuard,
    ): Promise<SessionRecord | null> {
      const record = read(sessionId);
      if (record?.status !== 'ACTIVE') return null;
      if (guard.userId !== null && record.userId !== guard.userId) return null;
      if (guard.tokenHash !== null && record.tokenHash !== guard.tokenHash) return null;
      endAndTrim(record, transition);
      return copy(record);
    },

    async endAllForUser(
      userId: string,
      transition: EndTransition,
      batch: EndAllBatch,
    ): Promise<EndAllResult> {
      const active = userRecords(userId).filter((r) => r.status === 'ACTIVE');
      const { examined, next } = page(active, activeKey, batch);
      const ended: SessionRecord[] = [];
      for (const record of examined) {
        if (
          record.id === batch.exceptSessionId ||
          record.userId !== userId ||
          record.createdAt.getTime() > batch.createdAtOrBefore.getTime() ||
          !isLive(record, batch.liveness)
        ) {
          continue;
        }
        applyEnd(record, transition);
        ended.push(copy(record));
      }
      if (ended.length > 0) trim(userId, transition.historyCap);
      return { ended, next };
    },

    async rotateRefreshToken(
      sessionId: string,
      rotation: RefreshRotation,
    ): Promise<RefreshRotationResult> {
      const record = read(sessionId);
      if (!record) return { outcome: 'not_found' };
      if (record.retiredRefreshTokenHashes.includes(rotation.presentedHash)) {
        // Only a live session is ended for reuse: an expired one is not relabelled.
        if (!isLive(record, rotation.liveness))
          return { outcome: 'reused', session: copy(record), revoked: false };
        if (inReuseGrace(record, rotation)) return { outcome: 'grace', session: copy(record) };
        endAndTrim(record, rotation.onReuse);
        return { outcome: 'reused', session: copy(record), revoked: true };
      }
      if (record.refreshTokenHash === null || record.refreshTokenHash !== rotation.presentedHash) {
        return { outcome: 'not_found' };
      }
      if (!isLive(record, rotation.liveness)) return { outcome: 'inactive', session: copy(record) };
      record.retiredRefreshTokenHashes = [
        ...record.retiredRefreshTokenHashes,
        record.refreshTokenHash,
      ].slice(-rotation.maxRetiredHashes);
      record.refreshTokenHash = rotation.refreshTokenHash;
      record.tokenHash = rotation.tokenHash;
      record.refreshRotatedAt = new Date(rotation.at.getTime());
      if (record.lastActivityAt.getTime() < rotation.at.getTime()) {
        record.lastActivityAt = new Date(rotation.at.getTime());
      }
      return { outcome: 'rotated', session: copy(record) };
    },

    async listDevices(userId: string): Promise<KnownDeviceRecord[]> {
      return [...userDevices(userId).values()].map((d) => structuredClone(d));
    },

    async forgetDevice(userId: string, deviceId: string): Promise<boolean> {
      return userDevices(userId).delete(deviceId);
    },

    async markVerified(
      sessionId: string,
      update: VerificationUpdate,
    ): Promise<SessionRecord | null> {
      const record = read(sessionId);
      if (!record || !isLive(record, update.liveness)) return null;
      if (update.userId !== null && record.userId !== update.userId) return null;
      record.verification = {
        verifiedAt: new Date(update.verification.verifiedAt.getTime()),
        method: update.verification.method,
      };
      return copy(record);
    },

    async holdSignIn(held: PendingSignInRecord): Promise<void> {
      if (pending.has(held.key)) throw new Error('memory store: duplicate pending sign-in key');
      pending.set(held.key, structuredClone(held));
    },

    async getPendingSignIn(key: string, at: Date): Promise<PendingSignInRecord | null> {
      const held = readPending(key, at);
      return held ? structuredClone(held) : null;
    },

    // Synchronous between awaits: atomic with respect to every other call.
    async completeSignIn(
      key: string,
      completion: SignInCompletion,
    ): Promise<SignInCompletionResult> {
      const { userId, limit } = completion;
      const held = readPending(key, limit.liveness.now);
      if (!held || held.userId !== userId) return { outcome: 'not_found' };
      const chosen = read(completion.endSessionId);
      if (!chosen || chosen.userId !== userId || !isLive(chosen, limit.liveness)) {
        return { outcome: 'choice_invalid' };
      }
      if (records.has(completion.record.id)) throw new Error('memory store: duplicate session id');
      const others = userRecords(userId).filter(
        (r) => r.id !== chosen.id && isLive(r, limit.liveness),
      );
      if (others.length >= limit.max)
        return { outcome: 'limit_reached', activeCount: others.length + 1 };
      endAndTrim(chosen, completion.end);
      pending.delete(key);
      const { session, knownDevice } = insert(completion.record, completion.options);
      return { outcome: 'created', session, ended: copy(chosen), knownDevice };
    },

    async cleanup(input: CleanupInput): Promise<CleanupResult> {
      const nowMs = input.liveness.now.getTime();
      for (const key of [...pending.keys()]) readPending(key, input.liveness.now);
      const expired: SessionRecord[] = [];
      let purged = 0;
      for (const [id, record] of [...records]) {
        if (record.purgeAt.getTime() <= nowMs) {
          remove(id);
          purged++;
          continue;
        }
        if (record.status === 'ACTIVE' && !isLive(record, input.liveness)) {
          const expiry = expiryOf(record, input.liveness.idleTimeoutMs);
          applyEnd(record, {
            status: 'EXPIRED',
            reason: expiry.reason,
            endedAt: expiry.at,
            purgeAt: new Date(expiry.at.getTime() + input.historyRetentionMs),
          });
          expired.push(copy(record));
        }
      }
      for (const userId of [...devices.keys()]) userDevices(userId);
      return { expired, purged };
    },

    async requestRefresh(target: RefreshTarget, request: RefreshRequest): Promise<number> {
      const at = request.at.getTime();
      const mark = (record: SessionRecord | undefined): number => {
        if (!record || !isLive(record, request.liveness)) return 0;
        const stored = record.refreshRequestedAt?.getTime() ?? null;
        record.refreshRequestedAt = new Date(stored !== null && stored >= at ? stored + 1 : at);
        return 1;
      };
      if (target.userId === undefined) {
        const record = read(target.sessionId);
        if (record && target.ownerUserId !== null && record.userId !== target.ownerUserId) return 0;
        return mark(record);
      }
      let count = 0;
      for (const id of [...(byUser.get(target.userId) ?? [])]) {
        const record = read(id);
        if (record?.userId === target.userId) count += mark(record);
      }
      return count;
    },

    async clearRefreshRequest(sessionId: string, requestedAt: Date): Promise<boolean> {
      const record = read(sessionId);
      if (record?.refreshRequestedAt?.getTime() !== requestedAt.getTime()) return false;
      record.refreshRequestedAt = null;
      return true;
    },
    // --- Federated sign-out (issue 16) ---

    async linkOrigin(
      sessionId: string,
      origin: SessionOrigin,
      liveness: Liveness,
    ): Promise<boolean> {
      const record = read(sessionId);
      if (!record || !isLive(record, liveness)) return false;
      unlinkOrigin(sessionId);
      origins.set(sessionId, { ...origin });
      for (const key of federatedKeys(origin)) {
        let ids = federated.get(key);
        if (!ids) {
          ids = new Set();
          federated.set(key, ids);
        }
        ids.add(sessionId);
      }
      return true;
    },

    async getOrigin(sessionId: string): Promise<SessionOrigin | null> {
      const record = read(sessionId);
      const origin = origins.get(sessionId);
      return record?.status === 'ACTIVE' && origin ? { ...origin } : null;
    },

    async endFederated(
      match: FederatedMatch,
      transition: EndTransition,
      batch: FederatedEndBatch,
    ): Promise<EndAllResult> {
      const key =
        match.sid !== null
          ? federatedKey('sid', match.issuer, match.sid)
          : match.subject !== null
            ? federatedKey('sub', match.issuer, match.subject)
            : null;
      if (key === null) return { ended: [], next: null };
      const after = batch.after;
      const linked: SessionRecord[] = [];
      for (const id of [...(federated.get(key) ?? [])]) {
        const record = read(id);
        if (!record) continue;
        const at = record.createdAt.getTime();
        if (after && (at < after.at.getTime() || (at === after.at.getTime() && id <= after.id))) {
          continue;
        }
        linked.push(record);
      }
      linked.sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
      );
      const examined = linked.slice(0, batch.limit);
      const last = examined[examined.length - 1];
      const next =
        linked.length > batch.limit && last
          ? { at: new Date(last.createdAt.getTime()), id: last.id }
          : null;
      const ended: SessionRecord[] = [];
      const users = new Set<string>();
      for (const record of examined) {
        const origin = origins.get(record.id);
        if (
          !origin ||
          !originMatches(origin, match) ||
          record.createdAt.getTime() > batch.createdAtOrBefore.getTime() ||
          !isLive(record, batch.liveness)
        ) {
          continue;
        }
        applyEnd(record, transition);
        users.add(record.userId);
        ended.push(copy(record));
      }
      for (const userId of users) trim(userId, transition.historyCap);
      return { ended, next };
    },
  };
}
