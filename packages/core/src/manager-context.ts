import { SessionStoreError } from './errors.js';
import type { SessionEventEmitter } from './events.js';
import type { ResolvedOptions } from './options.js';
import { toPublicSession } from './session-record.js';
import {
  type EndTransition,
  expiryOf,
  isLive,
  type Liveness,
  type SessionRecord,
} from './session-store.js';

// Bounded per-user work: every store call examines at most this many records.
export const PAGE_SIZE = 100;
// Ended sessions kept per user (oldest dropped first) and known devices per user.
export const HISTORY_CAP = 1000;
export const DEVICE_CAP = 100;

/**
 * What every manager step shares: the resolved options, the event emitter and
 * the few helpers each job needs (store calls that fail closed, the liveness
 * cut-off, end transitions, lazy expiry). The jobs themselves live in files
 * named for them (create-session.ts, list-sessions.ts, refresh-session.ts…).
 */
export class ManagerContext {
  readonly o: ResolvedOptions;
  readonly events: SessionEventEmitter;

  constructor(options: ResolvedOptions, events: SessionEventEmitter) {
    this.o = options;
    this.events = events;
  }

  /** Runs a store call; any failure becomes SessionStoreError so callers fail closed. */
  call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return fn().then(undefined, (error: unknown) => {
        throw toStoreError(operation, error);
      });
    } catch (error) {
      return Promise.reject(toStoreError(operation, error));
    }
  }

  liveness(nowMs: number): Liveness {
    return { now: new Date(nowMs), idleTimeoutMs: this.o.idleTimeout };
  }

  transition(status: EndTransition['status'], reason: string, nowMs: number): EndTransition {
    return {
      status,
      reason,
      endedAt: new Date(nowMs),
      purgeAt: new Date(nowMs + this.o.historyRetention),
      historyCap: HISTORY_CAP,
    };
  }

  /** {@link settle} for a list, without a promise per record when (as usual) all are live. */
  async settleAll(records: SessionRecord[], nowMs: number): Promise<SessionRecord[]> {
    const liveness = this.liveness(nowMs);
    if (records.every((r) => r.status !== 'ACTIVE' || isLive(r, liveness))) return records;
    return Promise.all(records.map((r) => this.settle(r, nowMs)));
  }

  /**
   * Lazily marks a stored-ACTIVE record that is no longer live as EXPIRED and
   * returns the record as it now stands.
   */
  async settle(record: SessionRecord, nowMs: number): Promise<SessionRecord> {
    if (record.status !== 'ACTIVE' || isLive(record, this.liveness(nowMs))) return record;
    const expiry = expiryOf(record, this.o.idleTimeout);
    const transition: EndTransition = {
      status: 'EXPIRED',
      reason: expiry.reason,
      endedAt: expiry.at,
      purgeAt: new Date(expiry.at.getTime() + this.o.historyRetention),
      historyCap: HISTORY_CAP,
    };
    const ended = await this.call('expire', () =>
      this.o.store.end(record.id, transition, { userId: null, tokenHash: null }),
    );
    if (ended) {
      this.events.emit('expired', { session: toPublicSession(ended) });
      return ended;
    }
    // Someone else ended it first (revoked, logged out, or another reader): show what is stored.
    const current = await this.call('expire', () => this.o.store.get(record.id));
    return current ?? { ...record, ...transition };
  }
}

/** Defence in depth: a store must never hand back another user's record; drop any that it does. */
export function ownedBy(userId: string, records: SessionRecord[]): SessionRecord[] {
  return records.every((r) => r.userId === userId)
    ? records
    : records.filter((r) => r.userId === userId);
}

export function toStoreError(operation: string, error: unknown): SessionStoreError {
  return error instanceof SessionStoreError ? error : new SessionStoreError(operation, error);
}
