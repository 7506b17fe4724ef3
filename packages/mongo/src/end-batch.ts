import { randomBytes } from 'node:crypto';
import { ENDED_STATUSES, type SessionRecord } from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import { toRecord } from './codec.js';
import { MAJORITY } from './lease.js';
import { findAllIn } from './paging.js';
import type { SessionDoc } from './schema.js';

// Ending many sessions at once (evictions, revokeAll batches, cleanup) and the
// history cap that follows an end. `sessions` is the store call's bound
// collection (see call-guard.ts).

type Filter = mongo.Filter<SessionDoc>;

/**
 * Ends every document matching `filter` (always conditional on ACTIVE) in
 * one `updateMany`, then reads back exactly the ones this call ended. A
 * multi-document update has no "return the documents" form, so each call
 * stamps its own random `endBatch` marker into the same update: a document
 * carries a given marker only if this very update ended it, and since every
 * later write is conditional on ACTIVE, an ended document no longer changes
 * (TTL deletion aside), so the read-back returns them as stored.
 */
export async function endBatchIn(
  sessions: mongo.Collection<SessionDoc>,
  filter: Filter,
  stamp: (marker: string) => mongo.UpdateFilter<SessionDoc> | mongo.Document[],
  readBack: (marker: string) => Filter,
): Promise<SessionRecord[]> {
  const marker = randomBytes(12).toString('base64url');
  const result = await sessions.updateMany(filter, stamp(marker), MAJORITY);
  if (result.modifiedCount === 0) return [];
  const docs = await findAllIn(sessions, readBack(marker));
  return docs.map(toRecord);
}

/** Deletes the user's ended sessions beyond the `cap` most recently ended (bounded per call). */
export async function capHistoryIn(
  sessions: mongo.Collection<SessionDoc>,
  userId: string,
  cap: number,
): Promise<void> {
  const extra = await findAllIn(
    sessions,
    { userId, status: { $in: [...ENDED_STATUSES] } },
    { projection: { _id: 1 }, sort: { endedAt: -1, _id: -1 }, skip: cap, limit: 1000 },
  );
  if (extra.length > 0) {
    await sessions.deleteMany({
      _id: { $in: extra.map((d) => d._id) },
      userId,
      status: { $in: [...ENDED_STATUSES] },
    });
  }
}
