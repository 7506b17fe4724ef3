import type {
  CreateOptions,
  CreateResult,
  SessionLimit,
  SessionRecord,
} from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import type { StoreCall } from './call-guard.js';
import { toDoc, toRecord } from './codec.js';
import { capDevicesIn, rememberDeviceIn } from './device-registry.js';
import { capHistoryIn, endBatchIn } from './end-batch.js';
import { isDuplicateKeyError, MAJORITY } from './lease.js';
import { endFields, liveFilter } from './liveness.js';
import { findAllIn } from './paging.js';
import type { DeviceDoc, SessionDoc } from './schema.js';
import { checkCount, checkLimit, checkRecord } from './validate.js';

// create(): a new session, the user's session limit (count, evict or refuse
// under the per-user lease), the known-device upsert, and the clean-up of a
// session whose create failed after its insert.

/** What create() works with, for one store call. */
export interface CreateContext {
  /** The call's bound collections (see call-guard.ts). */
  sessions: mongo.Collection<SessionDoc>;
  devices: mongo.Collection<DeviceDoc>;
  /** The unbound sessions collection: the clean-up delete runs after the call has failed. */
  rawSessions: mongo.Collection<SessionDoc>;
  call: StoreCall;
  timeout: number;
  /** Runs `body` holding the user's lease (lease.ts). */
  withUserLock<T>(userId: string, body: () => Promise<T>): Promise<T>;
}

/** Deletes the session this call inserted (matched on id AND token hash: never another's). */
export function removeOwnSession(ctx: CreateContext, doc: SessionDoc) {
  return ctx.rawSessions.deleteOne(
    { _id: doc._id, tokenHash: doc.tokenHash },
    { ...MAJORITY, timeoutMS: ctx.timeout },
  );
}

/**
 * Inserts a new session. If the call then fails in any way (the device
 * upsert fails, the call times out while the insert is still on the wire,
 * ...), the session is deleted again once the insert has settled, so that no
 * ACTIVE session is left that nobody holds a token for (it would count
 * against the user's session limit). When the insert's outcome is unknown,
 * the delete is repeated after 2 × timeout; an insert stalled in the network
 * longer than that is caught by the next create's re-count, or lapses with
 * its `expiresAt`.
 */
export async function insertSession(ctx: CreateContext, doc: SessionDoc): Promise<void> {
  const insert = ctx.sessions.insertOne(doc);
  ctx.call.onFailure(async () => {
    const unknown = await Promise.resolve(insert).then(
      () => false,
      // Timed out or cut off: the insert may still reach the server.
      (error: unknown) => !isDuplicateKeyError(error),
    );
    await removeOwnSession(ctx, doc).catch(() => undefined);
    if (unknown) {
      // Once more after the server's own bound (maxTimeMS) on that insert
      // has passed, for an insert that was still on its way.
      await new Promise<void>((resolve) => setTimeout(resolve, 2 * ctx.timeout).unref());
      await removeOwnSession(ctx, doc);
    }
  });
  await insert;
}

// The known-device upsert follows the insert, so a refused or failed insert
// never remembers a device.
export async function createSessionIn(
  ctx: CreateContext,
  record: SessionRecord,
  limit: SessionLimit | null,
  options: CreateOptions,
): Promise<CreateResult> {
  checkRecord('create', record);
  const previousKeys = Array.isArray(options?.previousDeviceKeys) ? options.previousDeviceKeys : [];
  checkLimit('create', limit);
  const deviceCap = checkCount('create', options?.deviceCap, 'options.deviceCap');
  const { sessions, devices } = ctx;
  const doc = toDoc(record);
  const remember = async () => {
    const known = await rememberDeviceIn(devices, record, previousKeys);
    if (!known) await capDevicesIn(devices, record.userId, deviceCap);
    return known;
  };
  if (limit === null) {
    await insertSession(ctx, doc);
    const known = await remember();
    return { outcome: 'created', session: toRecord(doc), evicted: [], knownDevice: known };
  }
  // Counting, evicting and inserting must be one step for this user, or two
  // concurrent sign-ins could both see room for one more. Without
  // multi-document transactions on a standalone server, the per-user lease
  // provides that step.
  return ctx.withUserLock(record.userId, async (): Promise<CreateResult> => {
    const live = await findAllIn(
      sessions,
      { userId: record.userId, ...liveFilter(limit.liveness) },
      { projection: { _id: 1 }, sort: { createdAt: 1, _id: 1 } },
    );
    let evicted: SessionRecord[] = [];
    if (live.length >= limit.max) {
      if (limit.onExceed === 'reject')
        return { outcome: 'limit_reached', activeCount: live.length };
      const ids = live.slice(0, live.length - limit.max + 1).map((d) => d._id);
      evicted = await endBatchIn(
        sessions,
        { _id: { $in: ids }, userId: record.userId, status: 'ACTIVE' },
        (marker) => ({ $set: { ...endFields(limit.eviction), endBatch: marker } }),
        (marker) => ({ _id: { $in: ids }, endBatch: marker }),
      );
      await capHistoryIn(sessions, record.userId, limit.eviction.historyCap);
    }
    await insertSession(ctx, doc);
    const known = await remember();
    // The fence: a create whose insert outlived its lease (a stalled
    // command that landed late) may have inserted beside the next holder's.
    // Counting again after our own insert catches it: the create that sees
    // more than max removes its own session, so the limit holds.
    const after = await findAllIn(
      sessions,
      { userId: record.userId, ...liveFilter(limit.liveness) },
      { projection: { _id: 1 }, limit: limit.max + 1 },
    );
    if (after.length > limit.max) {
      await removeOwnSession(ctx, doc);
      if (limit.onExceed === 'reject') {
        return { outcome: 'limit_reached', activeCount: after.length - 1 };
      }
      throw new Error(
        'a concurrent sign-in of the same user overran the session limit; this session was not created, try again',
      );
    }
    return { outcome: 'created', session: toRecord(doc), evicted, knownDevice: known };
  });
}
