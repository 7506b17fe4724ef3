import { InvalidInputError } from '@sessionkit/core';
import type {
  PendingSignInRecord,
  SessionRecord,
  SignInCompletion,
  SignInCompletionResult,
} from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import { toDoc, toRecord } from './codec.js';
import { MAJORITY } from './lease.js';
import { endFields, liveFilter } from './liveness.js';
import type { LockDoc, SessionDoc } from './schema.js';
import { checkDate, checkLiveness, checkSessionId, checkUserId } from './validate.js';

// Held sign-ins (limitPolicy 'ask') live in the lock collection, beside the
// per-user leases, as `{ _id: 'held:<key>', holder: 'held', lockedUntil:
// expiresAt, userId, payload }`: both are short-lived per-user coordination
// documents, and the collection's TTL index on `lockedUntil` already deletes
// them after they lapse, so no fourth collection or index has to be deployed.
// A lease's `_id` is a user id; a held sign-in's embeds a SHA-256 of a secret,
// which no user id can be made to match without knowing it.
const HELD_PREFIX = 'held:';
const HELD_HOLDER = 'held';

type HeldDoc = LockDoc & { userId: string; payload: string };

// The user shard (6) and a SHA-256 in base64url (43): anything else, an operator
// object included, never reaches a query.
const KEY_PATTERN = /^[A-Za-z0-9_-]{49}$/;

function checkKey(method: string, key: unknown): string {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new InvalidInputError(
      `MongoDB session store ${method}(): key must be a held sign-in key (49 URL-safe characters).`,
    );
  }
  return key;
}

/** What the held sign-in methods need from the store's per-call scope (mongo-store.ts). */
export interface HeldSignInDeps {
  locks: mongo.Collection<LockDoc>;
  sessions: mongo.Collection<SessionDoc>;
  withUserLock: <T>(userId: string, body: () => Promise<T>) => Promise<T>;
  findAll: (filter: mongo.Filter<SessionDoc>, options?: mongo.FindOptions) => Promise<SessionDoc[]>;
  insertSession: (doc: SessionDoc) => Promise<void>;
  removeOwnSession: (doc: SessionDoc) => Promise<unknown>;
  remember: (
    record: SessionRecord,
    previousKeys: readonly string[],
    cap: number,
  ) => Promise<boolean>;
  capHistory: (userId: string, cap: number) => Promise<void>;
}

export function heldSignInMethods(deps: HeldSignInDeps) {
  const held = deps.locks as unknown as mongo.Collection<HeldDoc>;
  return {
    async holdSignIn(pending: PendingSignInRecord): Promise<void> {
      checkKey('holdSignIn', pending?.key);
      checkUserId('holdSignIn', pending.userId);
      checkDate('holdSignIn', pending.expiresAt, 'expiresAt');
      if (typeof pending.payload !== 'string') {
        throw new InvalidInputError(
          'MongoDB session store holdSignIn(): payload must be a string.',
        );
      }
      await held.insertOne(
        {
          _id: HELD_PREFIX + pending.key,
          holder: HELD_HOLDER,
          lockedUntil: pending.expiresAt,
          userId: pending.userId,
          payload: pending.payload,
        },
        MAJORITY,
      );
    },

    async getPendingSignIn(key: string, at: Date): Promise<PendingSignInRecord | null> {
      checkKey('getPendingSignIn', key);
      checkDate('getPendingSignIn', at, 'now');
      const doc = await held.findOne({
        _id: HELD_PREFIX + key,
        holder: HELD_HOLDER,
        lockedUntil: { $gt: at },
      });
      return doc
        ? { key, userId: doc.userId, expiresAt: doc.lockedUntil, payload: doc.payload }
        : null;
    },

    // Serialised with the user's creates by the per-user lease (as create()
    // is): every check comes before the first write, and the re-count after
    // the insert is create()'s fence against a lease that lapsed mid-call.
    async completeSignIn(key: string, c: SignInCompletion): Promise<SignInCompletionResult> {
      checkKey('completeSignIn', key);
      checkUserId('completeSignIn', c?.userId);
      checkSessionId('completeSignIn', c.endSessionId, 'endSessionId');
      checkLiveness('completeSignIn', c.limit?.liveness);
      const { userId, limit } = c;
      const heldFilter = {
        _id: HELD_PREFIX + key,
        holder: HELD_HOLDER,
        userId,
        lockedUntil: { $gt: limit.liveness.now },
      };
      return deps.withUserLock(userId, async (): Promise<SignInCompletionResult> => {
        if (!(await held.findOne(heldFilter))) return { outcome: 'not_found' };
        const live = liveFilter(limit.liveness);
        const chosen = await deps.sessions.findOne({ _id: c.endSessionId, userId, ...live });
        if (!chosen) return { outcome: 'choice_invalid' };
        const others = await deps.findAll(
          { userId, ...live, _id: { $ne: c.endSessionId } },
          { projection: { _id: 1 }, limit: limit.max },
        );
        if (others.length >= limit.max) {
          return { outcome: 'limit_reached', activeCount: others.length + 1 };
        }
        const ended = await deps.sessions.findOneAndUpdate(
          { _id: c.endSessionId, userId, ...live },
          { $set: endFields(c.end) },
          { returnDocument: 'after', ...MAJORITY },
        );
        // Ended meanwhile by a write that takes no lease (a revoke): nothing else written.
        if (!ended) return { outcome: 'choice_invalid' };
        await deps.capHistory(userId, c.end.historyCap);
        const taken = await held.deleteOne(heldFilter, MAJORITY);
        if (taken.deletedCount !== 1) return { outcome: 'not_found' };
        const doc = toDoc(c.record);
        await deps.insertSession(doc);
        const knownDevice = await deps.remember(
          c.record,
          c.options.previousDeviceKeys,
          c.options.deviceCap,
        );
        const after = await deps.findAll(
          { userId, ...live },
          { projection: { _id: 1 }, limit: limit.max + 1 },
        );
        if (after.length > limit.max) {
          await deps.removeOwnSession(doc);
          throw new Error(
            'a concurrent sign-in of the same user overran the session limit; this session was not created, sign in again',
          );
        }
        return { outcome: 'created', session: toRecord(doc), ended: toRecord(ended), knownDevice };
      });
    },

    async cleanupHeld(now: Date): Promise<void> {
      await held.deleteMany({ holder: HELD_HOLDER, lockedUntil: { $lte: now } });
    },
  };
}
