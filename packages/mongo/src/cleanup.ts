import type { CleanupInput, CleanupResult, SessionRecord } from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import { endBatchIn } from './end-batch.js';
import { expirePipeline } from './liveness.js';
import { findAllIn } from './paging.js';
import type { DeviceDoc, SessionDoc } from './schema.js';
import { checkCount, checkLiveness } from './validate.js';

// cleanup(): the maintenance job. Purges what is past purgeAt and marks
// sessions that are no longer live as EXPIRED, in bounded batches.

type Filter = mongo.Filter<SessionDoc>;

/** Records per batch in cleanup(). */
const CLEANUP_BATCH = 500;
/** The bound on one cleanup() call (or `timeout`, if larger). */
export const CLEANUP_TIMEOUT_MS = 30_000;

export async function cleanupIn(
  sessions: mongo.Collection<SessionDoc>,
  devices: mongo.Collection<DeviceDoc>,
  cleanupInput: CleanupInput,
): Promise<CleanupResult> {
  checkLiveness('cleanup', cleanupInput?.liveness);
  const retention = checkCount('cleanup', cleanupInput.historyRetentionMs, 'historyRetentionMs');
  const { now, idleTimeoutMs } = cleanupInput.liveness;
  // The TTL index deletes purged records on its own (about once a minute);
  // doing it here too makes cleanup() exact for callers who run it.
  const purged = (await sessions.deleteMany({ purgeAt: { $lte: now } })).deletedCount;
  await devices.deleteMany({ purgeAt: { $lte: now } });

  // Each branch names the status, so that each is answered from its own
  // index ({ status, expiresAt } and { status, lastActivityAt }).
  const notLive: Filter = {
    $or: [
      { status: 'ACTIVE', expiresAt: { $lte: now } },
      ...(idleTimeoutMs === null
        ? []
        : [
            {
              status: 'ACTIVE' as const,
              lastActivityAt: { $lte: new Date(now.getTime() - idleTimeoutMs) },
            },
          ]),
    ],
  };
  const expired: SessionRecord[] = [];
  for (;;) {
    const batch = await findAllIn(sessions, notLive, {
      projection: { _id: 1 },
      limit: CLEANUP_BATCH,
    });
    if (batch.length === 0) break;
    const ids = batch.map((d) => d._id);
    const ended = await endBatchIn(
      sessions,
      { _id: { $in: ids }, status: 'ACTIVE', ...notLive },
      (marker) => expirePipeline(idleTimeoutMs, retention, marker),
      (marker) => ({ _id: { $in: ids }, endBatch: marker }),
    );
    expired.push(...ended);
    if (batch.length < CLEANUP_BATCH) break;
  }
  return { expired, purged };
}
