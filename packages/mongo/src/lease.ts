import { randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';
import type { StoreCall } from './call-guard.js';
import type { LockDoc } from './schema.js';

/** How long a create holding the per-user lease may take before others may take it over. */
export const LEASE_MS = 10_000;
/** How long a create waits for the per-user lease at most (the call's own timeout usually ends it first). */
export const LEASE_WAIT_MS = 10_000;

/** Every write of the lease is acknowledged by a majority: a failover must not resurrect or lose one. */
export const MAJORITY = { writeConcern: { w: 'majority' } } as const;

export interface LeaseInput {
  /** The lock collection as seen by this call (bounded, see call-guard.ts). */
  locks: mongo.Collection<LockDoc>;
  /** The same collection unbounded, for the release, which runs even after the call failed. */
  rawLocks: mongo.Collection<LockDoc>;
  lockCollectionName: string;
  leaseMs: number;
  /** Only bounds how long to wait; the lease itself runs on the server's clock. */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** How long the release may take. */
  releaseTimeoutMs: number;
}

/**
 * Serialises the limit-enforcing creates of one user: a lease document `{ _id:
 * userId }` in the lock collection, taken with one upsert whose update pipeline
 * decides on the SERVER's clock (`$$NOW`) whether the lease is free (absent or
 * past `lockedUntil`) and, if so, takes it until `$$NOW + leaseMs`. App
 * servers' clocks play no part, so a skewed one can neither steal a live lease
 * nor have the TTL index delete it early.
 *
 * The lease is granted at a server time after this process sent the request,
 * so it lasts at least until `sent + leaseMs` on this process's monotonic
 * clock: every later command of the call is bounded by that (`call.narrow`),
 * and a step that would outlive the lease is not sent. A command already on
 * the wire can still land late (a stalled insert); create() re-counts after
 * its insert for that case (see mongo-store.ts).
 *
 * Works on a standalone mongod, a replica set and a sharded cluster (the lock
 * collection's `_id` is its natural shard key), without transactions.
 */
export async function withUserLease<T>(
  input: LeaseInput,
  call: StoreCall,
  userId: string,
  body: () => Promise<T>,
): Promise<T> {
  const { locks, rawLocks, leaseMs } = input;
  const holder = randomBytes(12).toString('base64url');
  const waitUntil = input.clock() + LEASE_WAIT_MS;
  const free = { $lte: [{ $ifNull: ['$lockedUntil', new Date(0)] }, '$$NOW'] };
  let attempt = 0;
  for (;;) {
    const sent = performance.now();
    try {
      const lease = await locks.findOneAndUpdate(
        { _id: userId },
        [
          {
            $set: {
              holder: { $cond: [free, { $literal: holder }, '$holder'] },
              lockedUntil: { $cond: [free, { $add: ['$$NOW', leaseMs] }, '$lockedUntil'] },
            },
          },
        ],
        { upsert: true, returnDocument: 'after', ...MAJORITY },
      );
      if (lease?.holder === holder) {
        call.narrow(sent + leaseMs);
        break;
      }
    } catch (error) {
      // Two first upserts at once: one inserted, the other lost on _id. Retry.
      if (!isDuplicateKeyError(error)) throw error;
    }
    if (input.clock() >= waitUntil) {
      throw new Error(
        `timed out after ${LEASE_WAIT_MS} ms waiting for another sign-in of the same user to finish (lease in collection '${input.lockCollectionName}')`,
      );
    }
    attempt++;
    await input.sleep(Math.min(5 * 2 ** Math.min(attempt, 5), 100) * (0.5 + Math.random() / 2));
    // Nothing more once the call has failed or run out of time.
    call.check();
  }
  // Released whether the body succeeds, fails, or the call times out while the
  // body is still waiting on a command: then at once, so that the next sign-in
  // of this user does not wait for the lease to lapse (the undo of a late
  // insert, registered by create(), keeps the limit).
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await rawLocks.deleteOne(
      { _id: userId, holder },
      { ...MAJORITY, timeoutMS: input.releaseTimeoutMs },
    );
  };
  call.onFailure(release);
  try {
    return await body();
  } finally {
    await release().catch(() => undefined);
  }
}

export function isDuplicateKeyError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000
  );
}
