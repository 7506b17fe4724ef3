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
  InvalidInputError,
  isWellFormedText,
  type KnownDeviceRecord,
  type Liveness,
  type PageCursor,
  type PageQuery,
  type RecordPage,
  type RefreshRotation,
  type RefreshRotationResult,
  type SessionLimit,
  type SessionRecord,
  type SessionStore,
  type TouchUpdate,
  type VerificationUpdate,
} from '@sessionkit/core';
import {
  isLive,
  type PendingSignInRecord,
  type RefreshRequest,
  type RefreshTarget,
  type SignInCompletion,
  type SignInCompletionResult,
} from '@sessionkit/core/store';
import {
  DEVICE_COLUMNS,
  type DeviceRow,
  decodeDevice,
  decodeSession,
  encodeSession,
  encodeVerification,
  iso,
  json,
  SESSION_COLUMNS,
  SESSION_INSERT_VALUES,
  type SessionRow,
} from './codec.js';
import { federatedMethods } from './federated.js';
import { createGuard, DEFAULT_TIMEOUT_MS, type Exec } from './guard.js';
import { pendingTable } from './pending-schema.js';
import { checkPool, type PgPool } from './pool.js';
import { MAX_METADATA_JSON_BYTES, type PostgresTableOptions, tableNames } from './schema.js';

export interface PostgresStoreOptions extends PostgresTableOptions {
  /**
   * The app's pool: `pg.Pool` (node-postgres 8.x) or a pool with the same
   * `query(text, values)` and `connect()` (see docs/adapters/postgres.md).
   */
  pool: PgPool;
  /**
   * Most ms any store call may take before it fails with `SessionStoreError`
   * (fail closed). Also sent as `statement_timeout` for the store's transactions
   * and as node-postgres' `query_timeout`. @default 500
   */
  timeout?: number;
  /**
   * Send the store's single statements (the lookup on every `validate`, the
   * activity touch, …) as named prepared statements, which PostgreSQL parses
   * and plans once per connection. Turn off behind a transaction-mode pooler
   * without prepared-statement support (PgBouncer before 1.21 or with
   * `max_prepared_statements = 0`); the store also turns it off by itself the
   * first time the server says it lost a statement. @default true
   */
  preparedStatements?: boolean;
  /** Records deleted or expired per statement by `cleanup()`. @default 500 */
  cleanupBatchSize?: number;
  /**
   * Clock deciding which records are past `purgeAt` (such records read as
   * absent until `cleanup()` deletes them). Pass the manager's `now` in tests.
   * @default Date.now
   */
  now?: () => number;
}

/** Max statements one cleanup() call runs per table, so a huge backlog is worked off over several calls. */
const CLEANUP_MAX_BATCHES = 200;

/**
 * A {@link SessionStore} on PostgreSQL. Every transition is one conditional
 * `UPDATE … WHERE status = 'ACTIVE' AND … RETURNING`; `create()` is the one
 * transaction, serialised per user by `pg_advisory_xact_lock` so that concurrent
 * logins from any number of processes never exceed the session limit.
 * Run `migrations/001_init.sql` (or {@link ensurePostgresSchema}) first.
 */
export function createPostgresStore(options: PostgresStoreOptions): SessionStore {
  checkPool(options.pool);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new InvalidInputError(
      `createPostgresStore: timeout must be a positive integer of milliseconds, got ${String(timeout)}.`,
    );
  }
  const batchSize = options.cleanupBatchSize ?? 500;
  const t = tableNames(options);
  const S = t.sessions;
  const D = t.devices;
  const P = pendingTable(options);
  const now = options.now ?? Date.now;
  const storeNow = () => iso(new Date(now()));
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== 'boolean') {
    throw new InvalidInputError(
      `createPostgresStore: preparedStatements must be true or false, got ${String(options.preparedStatements)}.`,
    );
  }
  const guard = createGuard(options.pool, timeout, {
    preparedStatements: options.preparedStatements ?? true,
  });

  /** SQL for "live at liveness" over params $a (now) and $b (idle cutoff or null). */
  const live = (a: number, b: number) =>
    `status = 'ACTIVE' AND expires_at > $${a}::timestamptz AND ($${b}::timestamptz IS NULL OR last_activity_at > $${b}::timestamptz)`;
  /**
   * SQL for "hash $h is the one rotated out last, at or after $s" (the reuse
   * grace window, `inReuseGrace` in core's memory store); false when $s is NULL.
   */
  const inGrace = (h: number, s: number) =>
    `COALESCE($${s}::timestamptz IS NOT NULL AND retired_refresh_token_hashes[cardinality(retired_refresh_token_hashes)] = $${h} AND refresh_rotated_at >= $${s}::timestamptz, false)`;
  const liveParams = (l: Liveness): [string, string | null] => [
    iso(l.now),
    l.idleTimeoutMs === null ? null : iso(new Date(l.now.getTime() - l.idleTimeoutMs)),
  ];

  /** Deletes the user's ended records beyond the `cap` most recently ended. */
  const trim = (exec: Exec, userId: string, cap: number) =>
    exec(
      `DELETE FROM ${S} WHERE id IN (SELECT id FROM ${S} WHERE user_id = $1 AND status <> 'ACTIVE' AND purge_at > $2 ORDER BY ended_at DESC, id DESC OFFSET $3)`,
      [userId, storeNow(), Math.max(0, cap)],
    );

  /** One page (limit + 1 rows looked at) of a user's listing, ordered (key, id) descending. */
  const pageOf = async (
    exec: Exec,
    userId: string,
    which: 'active' | 'ended',
    query: PageQuery,
    columns: string,
  ): Promise<{ rows: SessionRow[]; next: PageCursor | null }> => {
    checkPage(query);
    const key = which === 'active' ? 'expires_at' : 'ended_at';
    const status = which === 'active' ? `status = 'ACTIVE'` : `status <> 'ACTIVE'`;
    const values: unknown[] = [userId, storeNow(), query.limit + 1];
    let after = '';
    if (query.after !== null) {
      values.push(iso(query.after.at), query.after.id);
      after = ` AND (${key}, id) < ($4::timestamptz, $5::text)`;
    }
    const { rows } = await exec<SessionRow>(
      `SELECT ${columns} FROM ${S} WHERE user_id = $1 AND ${status} AND purge_at > $2${after} ORDER BY ${key} DESC, id DESC LIMIT $3`,
      values,
    );
    const examined = rows.slice(0, query.limit);
    const last = examined[examined.length - 1];
    const next =
      rows.length > query.limit && last
        ? { at: new Date((last[key] as Date | string) ?? 0), id: last.id }
        : null;
    return { rows: examined, next };
  };

  const endSet = (first: number) =>
    `status = $${first}, end_reason = $${first + 1}, ended_at = $${first + 2}::timestamptz, purge_at = $${first + 3}::timestamptz`;
  const endParams = (tr: Omit<EndTransition, 'historyCap'>) => [
    tr.status,
    tr.reason,
    iso(tr.endedAt),
    iso(tr.purgeAt),
  ];

  /** Limit check and eviction inside create()'s transaction (the user's lock is held). */
  const enforceLimit = async (
    exec: Exec,
    userId: string,
    limit: SessionLimit,
  ): Promise<CreateResult | SessionRecord[]> => {
    const { rows } = await exec<{ id: string }>(
      `SELECT id FROM ${S} WHERE user_id = $1 AND purge_at > $2 AND ${live(3, 4)} ORDER BY created_at, id`,
      [userId, storeNow(), ...liveParams(limit.liveness)],
    );
    if (rows.length < limit.max) return [];
    if (limit.onExceed === 'reject') return { outcome: 'limit_reached', activeCount: rows.length };
    const ids = rows.slice(0, rows.length - limit.max + 1).map((r) => r.id);
    const ended = await exec<SessionRow>(
      `UPDATE ${S} SET ${endSet(2)} WHERE id = ANY($1::text[]) AND status = 'ACTIVE' RETURNING ${SESSION_COLUMNS}`,
      [ids, ...endParams(limit.eviction)],
    );
    await trim(exec, userId, limit.eviction.historyCap);
    return ended.rows
      .map(decodeSession)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  };

  /** Known-device upsert, rotation and cap, inside create()'s transaction. */
  const rememberDevice = async (
    exec: Exec,
    record: SessionRecord,
    options: CreateOptions,
  ): Promise<boolean> => {
    const previous = options.previousDeviceKeys.filter((k) => k !== record.deviceKey);
    const found = await exec<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM ${D} WHERE user_id = $1 AND id = ANY($2::text[]) AND purge_at > $3 FOR UPDATE`,
      [record.userId, [record.deviceKey, ...previous], storeNow()],
    );
    const byId = new Map(found.rows.map((r) => [r.id, decodeDevice(r)]));
    let existing: KnownDeviceRecord | undefined = byId.get(record.deviceKey);
    for (const key of previous) existing ??= byId.get(key);
    if (previous.length > 0) {
      await exec(`DELETE FROM ${D} WHERE user_id = $1 AND id = ANY($2::text[])`, [
        record.userId,
        previous,
      ]);
    }
    const purgeAt = Math.max(existing?.purgeAt.getTime() ?? 0, record.purgeAt.getTime());
    await exec(
      `INSERT INTO ${D} (${DEVICE_COLUMNS}) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7::jsonb, $8)
       ON CONFLICT (user_id, id) DO UPDATE SET device_info = EXCLUDED.device_info, first_seen_at = EXCLUDED.first_seen_at,
         last_seen_at = EXCLUDED.last_seen_at, last_ip_address = EXCLUDED.last_ip_address,
         last_location = EXCLUDED.last_location, purge_at = EXCLUDED.purge_at`,
      [
        record.userId,
        record.deviceKey,
        json(record.deviceInfo),
        iso(existing?.firstSeenAt ?? record.createdAt),
        iso(record.createdAt),
        record.ipAddress,
        json(record.location),
        iso(new Date(purgeAt)),
      ],
    );
    // Over the cap: drop the entries whose latest session is oldest (earliest purge_at).
    await exec(
      `DELETE FROM ${D} WHERE user_id = $1 AND (purge_at <= $3 OR id IN (
         SELECT id FROM ${D} WHERE user_id = $1 AND purge_at > $3 ORDER BY purge_at DESC, last_seen_at DESC, id DESC OFFSET $2))`,
      [record.userId, options.deviceCap, storeNow()],
    );
    return existing !== undefined;
  };

  return {
    // Rows are indexed by user id, never by shard: nothing to bind.
    bindUserShard() {},

    ...federatedMethods({ guard, S, storeNow, live, liveParams, endSet, endParams, trim }),

    async create(record, limit, options): Promise<CreateResult> {
      checkMetadata(record.metadata);
      return guard.transaction('create', async (exec) => {
        await exec('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `${t.lockNamespace}:${record.userId}`,
        ]);
        let evicted: SessionRecord[] = [];
        if (limit !== null) {
          const outcome = await enforceLimit(exec, record.userId, limit);
          if (!Array.isArray(outcome)) return { rollback: true, value: outcome };
          evicted = outcome;
        }
        const inserted = await exec<SessionRow>(
          `INSERT INTO ${S} (${SESSION_COLUMNS}) VALUES ${SESSION_INSERT_VALUES} RETURNING ${SESSION_COLUMNS}`,
          encodeSession(record),
        );
        const row = inserted.rows[0];
        if (!row) throw new Error('insert returned no row');
        const knownDevice = await rememberDevice(exec, record, options);
        return {
          rollback: false,
          value: { outcome: 'created', session: decodeSession(row), evicted, knownDevice },
        };
      });
    },

    async get(sessionId): Promise<SessionRecord | null> {
      // The hot path (every validate): a bare primary-key lookup, one parameter;
      // retention is checked here rather than in SQL.
      const { rows } = await guard.run<SessionRow>(
        'get',
        `SELECT ${SESSION_COLUMNS} FROM ${S} WHERE id = $1`,
        [sessionId],
      );
      const record = rows[0] ? decodeSession(rows[0]) : null;
      return record && record.purgeAt.getTime() > now() ? record : null;
    },

    async listActive(userId, query): Promise<RecordPage> {
      return guard.call('listActive', async (exec) => {
        const { rows, next } = await pageOf(exec, userId, 'active', query, SESSION_COLUMNS);
        return { records: rows.map(decodeSession), next };
      });
    },

    async listEnded(
      userId: string,
      query: PageQuery & { statuses: readonly EndedSessionStatus[] },
    ): Promise<RecordPage> {
      return guard.call('listEnded', async (exec) => {
        const { rows, next } = await pageOf(exec, userId, 'ended', query, SESSION_COLUMNS);
        const records = rows
          .filter((r) => query.statuses.includes(r.status as EndedSessionStatus))
          .map(decodeSession);
        return { records, next };
      });
    },

    async touch(sessionId, update: TouchUpdate): Promise<boolean> {
      const { rowCount } = await guard.run(
        'touch',
        `UPDATE ${S} SET last_activity_at = $2::timestamptz WHERE id = $1 AND purge_at > $3 AND ${live(4, 5)}
           AND last_activity_at <= $6::timestamptz AND last_activity_at < $2::timestamptz`,
        [
          sessionId,
          iso(update.at),
          storeNow(),
          ...liveParams(update.liveness),
          iso(update.ifLastActivityAtOrBefore),
        ],
      );
      return (rowCount ?? 0) > 0;
    },

    async end(sessionId, transition, endGuard: EndGuard): Promise<SessionRecord | null> {
      return guard.call('end', async (exec) => {
        const { rows } = await exec<SessionRow>(
          `UPDATE ${S} SET ${endSet(5)} WHERE id = $1 AND status = 'ACTIVE' AND purge_at > $2
             AND ($3::text IS NULL OR user_id = $3) AND ($4::text IS NULL OR token_hash = $4)
           RETURNING ${SESSION_COLUMNS}`,
          [sessionId, storeNow(), endGuard.userId, endGuard.tokenHash, ...endParams(transition)],
        );
        const row = rows[0];
        if (!row) return null;
        await trim(exec, row.user_id, transition.historyCap);
        return decodeSession(row);
      });
    },

    async endAllForUser(userId, transition, batch: EndAllBatch): Promise<EndAllResult> {
      return guard.call('endAllForUser', async (exec) => {
        const page = await pageOf(exec, userId, 'active', batch, 'id, expires_at');
        if (page.rows.length === 0) return { ended: [], next: page.next };
        const { rows } = await exec<SessionRow>(
          `UPDATE ${S} SET ${endSet(7)} WHERE id = ANY($1::text[]) AND user_id = $2
             AND ($3::text IS NULL OR id <> $3) AND created_at <= $4::timestamptz AND ${live(5, 6)}
           RETURNING ${SESSION_COLUMNS}`,
          [
            page.rows.map((r) => r.id),
            userId,
            batch.exceptSessionId,
            iso(batch.createdAtOrBefore),
            ...liveParams(batch.liveness),
            ...endParams(transition),
          ],
        );
        if (rows.length > 0) await trim(exec, userId, transition.historyCap);
        const ended = rows
          .map(decodeSession)
          .sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime() || (a.id < b.id ? 1 : -1));
        return { ended, next: page.next };
      });
    },

    async rotateRefreshToken(sessionId, rotation: RefreshRotation): Promise<RefreshRotationResult> {
      return guard.call('rotateRefreshToken', async (exec) => {
        // 1. Current hash and live: swap the pair (compare-and-set on the hash).
        const rotated = await exec<SessionRow>(
          `UPDATE ${S} SET
             retired_refresh_token_hashes = (retired_refresh_token_hashes || refresh_token_hash)[GREATEST(cardinality(retired_refresh_token_hashes) + 2 - $6::int, 1):],
             refresh_token_hash = $3, token_hash = $4, last_activity_at = GREATEST(last_activity_at, $5::timestamptz),
             refresh_rotated_at = $5::timestamptz
           WHERE id = $1 AND refresh_token_hash = $2 AND purge_at > $7 AND ${live(8, 9)}
           RETURNING ${SESSION_COLUMNS}`,
          [
            sessionId,
            rotation.presentedHash,
            rotation.refreshTokenHash,
            rotation.tokenHash,
            iso(rotation.at),
            rotation.maxRetiredHashes,
            storeNow(),
            ...liveParams(rotation.liveness),
          ],
        );
        if (rotated.rows[0]) return { outcome: 'rotated', session: decodeSession(rotated.rows[0]) };
        // 2. A retired hash on a live session: reuse, end it — unless it is the
        // hash rotated out last, within the reuse grace window ($10; NULL: strict).
        const grace = rotation.reuseGraceSince === null ? null : iso(rotation.reuseGraceSince);
        const reused = await exec<SessionRow>(
          `UPDATE ${S} SET ${endSet(6)} WHERE id = $1 AND $2 = ANY(retired_refresh_token_hashes)
             AND purge_at > $3 AND ${live(4, 5)} AND NOT ${inGrace(2, 10)} RETURNING ${SESSION_COLUMNS}`,
          [
            sessionId,
            rotation.presentedHash,
            storeNow(),
            ...liveParams(rotation.liveness),
            ...endParams(rotation.onReuse),
            grace,
          ],
        );
        const reusedRow = reused.rows[0];
        if (reusedRow) {
          await trim(exec, reusedRow.user_id, rotation.onReuse.historyCap);
          return { outcome: 'reused', session: decodeSession(reusedRow), revoked: true };
        }
        // 3. Nothing written: say why from a plain read.
        const { rows } = await exec<SessionRow>(
          `SELECT ${SESSION_COLUMNS} FROM ${S} WHERE id = $1 AND purge_at > $2`,
          [sessionId, storeNow()],
        );
        const row = rows[0];
        if (!row) return { outcome: 'not_found' };
        const session = decodeSession(row);
        if (
          isLive(session, rotation.liveness) &&
          rotation.reuseGraceSince !== null &&
          session.retiredRefreshTokenHashes.at(-1) === rotation.presentedHash &&
          session.refreshRotatedAt != null &&
          session.refreshRotatedAt.getTime() >= rotation.reuseGraceSince.getTime()
        ) {
          return { outcome: 'grace', session };
        }
        if (session.retiredRefreshTokenHashes.includes(rotation.presentedHash)) {
          return { outcome: 'reused', session, revoked: false };
        }
        if (
          session.refreshTokenHash !== null &&
          session.refreshTokenHash === rotation.presentedHash
        ) {
          return { outcome: 'inactive', session };
        }
        return { outcome: 'not_found' };
      });
    },

    async listDevices(userId): Promise<KnownDeviceRecord[]> {
      const { rows } = await guard.run<DeviceRow>(
        'listDevices',
        `SELECT ${DEVICE_COLUMNS} FROM ${D} WHERE user_id = $1 AND purge_at > $2`,
        [userId, storeNow()],
      );
      return rows.map(decodeDevice);
    },

    async forgetDevice(userId, deviceId): Promise<boolean> {
      const { rowCount } = await guard.run(
        'forgetDevice',
        `DELETE FROM ${D} WHERE user_id = $1 AND id = $2 AND purge_at > $3`,
        [userId, deviceId, storeNow()],
      );
      return (rowCount ?? 0) > 0;
    },

    async markVerified(sessionId, update: VerificationUpdate): Promise<SessionRecord | null> {
      const { rows } = await guard.run<SessionRow>(
        'markVerified',
        `UPDATE ${S} SET verification = $2::jsonb WHERE id = $1 AND purge_at > $3 AND ${live(4, 5)}
           AND ($6::text IS NULL OR user_id = $6) RETURNING ${SESSION_COLUMNS}`,
        [
          sessionId,
          json(encodeVerification(update.verification)),
          storeNow(),
          ...liveParams(update.liveness),
          update.userId,
        ],
      );
      return rows[0] ? decodeSession(rows[0]) : null;
    },

    async requestRefresh(target: RefreshTarget, request: RefreshRequest): Promise<number> {
      // The mark is `at`, or one ms past a stored mark that is not earlier
      // (memory-store.ts does the same), so a new request never equals one a
      // reader already acted on. One statement for every live session of the target.
      const mark = `refresh_requested_at = CASE WHEN refresh_requested_at IS NOT NULL AND refresh_requested_at >= $1::timestamptz
        THEN refresh_requested_at + interval '1 millisecond' ELSE $1::timestamptz END`;
      const values: unknown[] = [iso(request.at), storeNow(), ...liveParams(request.liveness)];
      const where =
        target.userId === undefined
          ? 'id = $5 AND ($6::text IS NULL OR user_id = $6)'
          : 'user_id = $5';
      if (target.userId === undefined) values.push(target.sessionId, target.ownerUserId);
      else values.push(target.userId);
      const { rowCount } = await guard.run(
        'requestRefresh',
        `UPDATE ${S} SET ${mark} WHERE ${where} AND purge_at > $2 AND ${live(3, 4)}`,
        values,
      );
      return rowCount ?? 0;
    },

    async clearRefreshRequest(sessionId: string, requestedAt: Date): Promise<boolean> {
      const { rowCount } = await guard.run(
        'clearRefreshRequest',
        `UPDATE ${S} SET refresh_requested_at = NULL WHERE id = $1 AND refresh_requested_at = $2::timestamptz`,
        [sessionId, iso(requestedAt)],
      );
      return (rowCount ?? 0) > 0;
    },

    async holdSignIn(pending: PendingSignInRecord): Promise<void> {
      await guard.run(
        'holdSignIn',
        `INSERT INTO ${P} (key, user_id, expires_at, payload) VALUES ($1, $2, $3, $4)`,
        [pending.key, pending.userId, iso(pending.expiresAt), pending.payload],
      );
    },

    async getPendingSignIn(key, at): Promise<PendingSignInRecord | null> {
      const { rows } = await guard.run<PendingRow>(
        'getPendingSignIn',
        `SELECT key, user_id, expires_at, payload FROM ${P} WHERE key = $1 AND expires_at > $2`,
        [key, iso(at)],
      );
      return rows[0] ? decodePending(rows[0]) : null;
    },

    // One transaction under the user's advisory lock (the one create() takes):
    // the checks, the end, the delete and the insert commit together or not at all.
    async completeSignIn(key, completion: SignInCompletion): Promise<SignInCompletionResult> {
      const { record, limit, userId } = completion;
      checkMetadata(record.metadata);
      return guard.transaction('completeSignIn', async (exec) => {
        const refuse = (value: SignInCompletionResult) => ({ rollback: true, value });
        await exec('SELECT pg_advisory_xact_lock(hashtext($1))', [`${t.lockNamespace}:${userId}`]);
        const held = await exec(
          `DELETE FROM ${P} WHERE key = $1 AND user_id = $2 AND expires_at > $3 RETURNING key`,
          [key, userId, iso(limit.liveness.now)],
        );
        if ((held.rowCount ?? 0) === 0) return refuse({ outcome: 'not_found' });
        const chosen = await exec<SessionRow>(
          `UPDATE ${S} SET ${endSet(6)} WHERE id = $1 AND user_id = $2 AND purge_at > $3 AND ${live(4, 5)}
           RETURNING ${SESSION_COLUMNS}`,
          [
            completion.endSessionId,
            userId,
            storeNow(),
            ...liveParams(limit.liveness),
            ...endParams(completion.end),
          ],
        );
        const ended = chosen.rows[0];
        if (!ended) return refuse({ outcome: 'choice_invalid' });
        // The chosen session is ended now (in this transaction): what is left must leave room.
        const outcome = await enforceLimit(exec, userId, limit);
        if (!Array.isArray(outcome)) {
          const count = outcome.outcome === 'limit_reached' ? outcome.activeCount + 1 : 0;
          return refuse({ outcome: 'limit_reached', activeCount: count });
        }
        await trim(exec, userId, completion.end.historyCap);
        const inserted = await exec<SessionRow>(
          `INSERT INTO ${S} (${SESSION_COLUMNS}) VALUES ${SESSION_INSERT_VALUES} RETURNING ${SESSION_COLUMNS}`,
          encodeSession(record),
        );
        const row = inserted.rows[0];
        if (!row) throw new Error('insert returned no row');
        const knownDevice = await rememberDevice(exec, record, completion.options);
        return {
          rollback: false,
          value: {
            outcome: 'created' as const,
            session: decodeSession(row),
            ended: decodeSession(ended),
            knownDevice,
          },
        };
      });
    },

    async cleanup(input: CleanupInput): Promise<CleanupResult> {
      const nowIso = iso(input.liveness.now);
      await guard.run('cleanup', `DELETE FROM ${P} WHERE expires_at <= $1`, [nowIso]);
      const [, cutoff] = liveParams(input.liveness);
      let purged = 0;
      // Each batch is its own short statement (bounded by `timeout`), so a large
      // backlog never holds locks for long; SKIP LOCKED lets two cleaners share it.
      for (let i = 0; i < CLEANUP_MAX_BATCHES; i++) {
        const { rowCount } = await guard.run(
          'cleanup',
          `DELETE FROM ${S} WHERE id IN (SELECT id FROM ${S} WHERE purge_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [nowIso, batchSize],
        );
        purged += rowCount ?? 0;
        if ((rowCount ?? 0) < batchSize) break;
      }
      const expired: SessionRecord[] = [];
      const expiry = `CASE WHEN $3::double precision IS NOT NULL AND last_activity_at + $3 * interval '1 millisecond' < expires_at
        THEN last_activity_at + $3 * interval '1 millisecond' ELSE expires_at END`;
      for (let i = 0; i < CLEANUP_MAX_BATCHES; i++) {
        const { rows } = await guard.run<SessionRow>(
          'cleanup',
          `UPDATE ${S} SET status = 'EXPIRED', ended_at = ${expiry},
             end_reason = CASE WHEN $3::double precision IS NOT NULL AND last_activity_at + $3 * interval '1 millisecond' < expires_at THEN 'idle_timeout' ELSE 'expired' END,
             purge_at = ${expiry} + $4 * interval '1 millisecond'
           WHERE id IN (SELECT id FROM ${S} WHERE status = 'ACTIVE' AND (expires_at <= $1 OR last_activity_at <= $2::timestamptz)
                        LIMIT $5 FOR UPDATE SKIP LOCKED)
             AND status = 'ACTIVE'
           RETURNING ${SESSION_COLUMNS}`,
          [nowIso, cutoff, input.liveness.idleTimeoutMs, input.historyRetentionMs, batchSize],
        );
        expired.push(...rows.map(decodeSession));
        if (rows.length < batchSize) break;
      }
      for (let i = 0; i < CLEANUP_MAX_BATCHES; i++) {
        const { rowCount } = await guard.run(
          'cleanup',
          `DELETE FROM ${D} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${D} WHERE purge_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED))`,
          [nowIso, batchSize],
        );
        if ((rowCount ?? 0) < batchSize) break;
      }
      return { expired, purged };
    },
  };
}

interface PendingRow {
  key: string;
  user_id: string;
  expires_at: Date | string;
  payload: string;
}

function decodePending(row: PendingRow): PendingSignInRecord {
  return {
    key: row.key,
    userId: row.user_id,
    expiresAt: new Date(row.expires_at),
    payload: row.payload,
  };
}

function checkPage(query: PageQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) {
    throw new InvalidInputError(
      `Page limit must be an integer from 1 to 1000, got ${String(query.limit)}.`,
    );
  }
}

function checkMetadata(metadata: Record<string, unknown>): void {
  let storable = true;
  const text = JSON.stringify(metadata ?? {}, (key, value: unknown) => {
    // jsonb refuses NUL (\u0000) and unpaired surrogates, in keys as in values.
    for (const s of [key, value]) {
      if (typeof s === 'string' && (s.includes('\0') || !isWellFormedText(s))) storable = false;
    }
    return value;
  });
  if (!storable) {
    throw new InvalidInputError(
      'Session metadata holds a NUL character or a lone UTF-16 surrogate, which PostgreSQL jsonb cannot store. Pass well-formed text.',
    );
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_METADATA_JSON_BYTES) {
    throw new InvalidInputError(
      `Session metadata is ${bytes} bytes as JSON; the PostgreSQL store keeps at most ${MAX_METADATA_JSON_BYTES}. Store large data elsewhere and keep a reference in metadata.`,
    );
  }
}
