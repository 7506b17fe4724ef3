import type { SessionRecord } from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import { deviceDocId, deviceInfoDoc, locationDoc } from './codec.js';
import { isDuplicateKeyError } from './lease.js';
import type { DeviceDoc } from './schema.js';

// The known-device registry: the user's device entries, written one document
// at a time. `devices` is the store call's bound collection (see call-guard.ts).

/**
 * The known-device upsert as an update pipeline, so that one write can tell a
 * live entry (keep firstSeenAt, keep the later purgeAt) from an absent one or
 * one past its purgeAt (start over). Caller values go in as `$literal`: a
 * string starting with `$` would otherwise read as a field path.
 */
export function deviceUpsert(
  record: SessionRecord,
  carried: Pick<DeviceDoc, 'firstSeenAt' | 'purgeAt'> | null,
): mongo.Document[] {
  const now = record.createdAt;
  const live = { $gt: ['$purgeAt', { $literal: now }] };
  const first = { $literal: carried?.firstSeenAt ?? record.createdAt };
  const purgeAt = {
    $literal:
      carried !== null && carried.purgeAt > record.purgeAt ? carried.purgeAt : record.purgeAt,
  };
  return [
    {
      $set: {
        userId: { $literal: record.userId },
        deviceId: { $literal: record.deviceKey },
        deviceInfo: { $literal: deviceInfoDoc(record.deviceInfo) },
        firstSeenAt: {
          $cond: [{ $and: [live, { $lt: ['$firstSeenAt', first] }] }, '$firstSeenAt', first],
        },
        lastSeenAt: { $literal: record.createdAt },
        lastIpAddress: { $literal: record.ipAddress },
        lastLocation: { $literal: locationDoc(record.location) },
        purgeAt: {
          $cond: [{ $and: [live, { $gt: ['$purgeAt', purgeAt] }] }, '$purgeAt', purgeAt],
        },
      },
    },
  ];
}

/**
 * Upserts the user's known-device entry for the new session in one
 * single-document write and reports whether it existed (and had not passed
 * its purgeAt) before. An entry past purgeAt that the TTL monitor has not
 * deleted yet counts as absent: firstSeenAt starts over.
 */
export async function rememberDeviceIn(
  devices: mongo.Collection<DeviceDoc>,
  record: SessionRecord,
  previousKeys: readonly string[],
): Promise<boolean> {
  // A rotated device id: the live entry under the first previous key found
  // moves to the new key (its firstSeenAt and purgeAt carried over), and
  // every previous key is forgotten.
  let carried: Pick<DeviceDoc, 'firstSeenAt' | 'purgeAt'> | null = null;
  const ids = previousKeys
    .filter((key) => typeof key === 'string' && key !== record.deviceKey)
    .map((key) => deviceDocId(record.userId, key));
  if (ids.length > 0) {
    // One read for all of them (usually none or one exists), in the given order.
    const cursor = await (devices.find(
      { _id: { $in: ids } },
      { projection: { firstSeenAt: 1, purgeAt: 1 } },
    ) as mongo.FindCursor<DeviceDoc> | Promise<mongo.FindCursor<DeviceDoc>>);
    const found = new Map((await cursor.toArray()).map((d) => [d._id, d]));
    for (const _id of ids) {
      const old = found.get(_id);
      if (!old) continue;
      // Only the call that deletes it carries it (two sign-ins racing with one id).
      const removed = await devices.deleteOne({ _id });
      if (carried === null && removed.deletedCount === 1 && old.purgeAt > record.createdAt) {
        carried = old;
      }
    }
  }
  const write = () =>
    devices.findOneAndUpdate(
      { _id: deviceDocId(record.userId, record.deviceKey) },
      deviceUpsert(record, carried),
      { upsert: true, returnDocument: 'before', projection: { purgeAt: 1 } },
    );
  let before: Pick<DeviceDoc, 'purgeAt'> | null;
  try {
    before = await write();
  } catch (error) {
    // Two first sign-ins from one device at once: both upserts inserted and
    // one lost on the _id. The entry exists now, so the retry updates it.
    if (!isDuplicateKeyError(error)) throw error;
    before = await write();
  }
  return carried !== null || (before !== null && before.purgeAt > record.createdAt);
}

/** A new device over the cap: drop the user's entries with the earliest purgeAt. */
export async function capDevicesIn(
  devices: mongo.Collection<DeviceDoc>,
  userId: string,
  cap: number,
): Promise<void> {
  const cursor = await (devices.find(
    { userId },
    { projection: { _id: 1 }, sort: { purgeAt: -1, _id: -1 }, skip: cap, limit: 100 },
  ) as mongo.FindCursor<DeviceDoc> | Promise<mongo.FindCursor<DeviceDoc>>);
  const extra = ((await cursor.toArray()) as DeviceDoc[]).map((d) => d._id);
  if (extra.length > 0) await devices.deleteMany({ _id: { $in: extra }, userId });
}
