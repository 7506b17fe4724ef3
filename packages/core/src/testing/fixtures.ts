import { DAY, MINUTE } from '../options.js';
import type { EndedSessionStatus } from '../session.js';
import {
  type CreateOptions,
  DEFAULT_HISTORY_RETENTION_MS,
  type EndAllResult,
  type EndTransition,
  type Liveness,
  type PageCursor,
  type RecordPage,
  type SessionRecord,
  type SessionStore,
} from '../session-store.js';
import { createSessionId, createToken, hashToken } from '../token.js';

/** A controllable clock that starts at the real current time (stores with native TTLs compute from it). */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function createTestClock(): TestClock {
  let current = Math.floor(Date.now() / 1000) * 1000;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
}

export interface StoreFactoryContext {
  /** The clock the suite drives; pass it to stores that keep one (e.g. `createMemoryStore({ now })`). */
  now: () => number;
}

export type StoreFactory = (context: StoreFactoryContext) => SessionStore | Promise<SessionStore>;

/** The default retention, from its one definition. */
export const RETENTION = DEFAULT_HISTORY_RETENTION_MS;

let counter = 0;

/** A complete, valid ACTIVE record for direct store tests. */
export function makeRecord(
  clock: TestClock,
  overrides: Partial<SessionRecord> & { userId?: string } = {},
): { record: SessionRecord; token: string; refreshToken: string } {
  const userId = overrides.userId ?? 'user-1';
  const id = overrides.id ?? createSessionId(userId);
  const token = createToken(id);
  const refreshToken = createToken(id);
  const now = new Date(clock.now() + counter++); // distinct createdAt for stable ordering
  const expiresAt = new Date(clock.now() + 30 * DAY);
  const record: SessionRecord = {
    id,
    userId,
    status: 'ACTIVE',
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    deviceInfo: {
      type: 'desktop',
      os: 'Linux',
      osVersion: null,
      browser: 'Firefox',
      browserVersion: '128.0',
    },
    location: { country: 'DE', region: 'BE', city: 'Berlin' },
    createdAt: now,
    lastActivityAt: now,
    expiresAt,
    endedAt: null,
    endReason: null,
    metadata: { loginMethod: 'password', nested: { n: 1, list: ['a', 'b'] } },
    tokenHash: hashToken(token),
    refreshTokenHash: hashToken(refreshToken),
    retiredRefreshTokenHashes: [],
    deviceKey: 'dEvIcEkEyLiNuXfIrEfOx1',
    risk: null,
    verification: null,
    refreshRequestedAt: null,
    purgeAt: new Date(expiresAt.getTime() + RETENTION),
    ...overrides,
  };
  return { record, token, refreshToken };
}

export function liveness(clock: TestClock, idleTimeoutMs: number | null = null): Liveness {
  return { now: new Date(clock.now()), idleTimeoutMs };
}

export function transition(
  clock: TestClock,
  status: EndTransition['status'] = 'REVOKED',
  reason = 'revoked_by_user',
  historyCap = 1000,
): EndTransition {
  return {
    status,
    reason,
    endedAt: new Date(clock.now()),
    purgeAt: new Date(clock.now() + RETENTION),
    historyCap,
  };
}

/** The caps the manager passes by default. */
export const CAPS: CreateOptions = { deviceCap: 100, previousDeviceKeys: [] };

export const NO_GUARD = { userId: null, tokenHash: null } as const;
export const TOUCH_INTERVAL = MINUTE;

/** A unique user id per test so suites can share one database. */
export function uniqueUser(label = 'user'): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Walks every page of a user's active listing (store level), `limit` records per call. */
export async function listAllActive(
  store: SessionStore,
  userId: string,
  limit = 100,
): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  let after: PageCursor | null = null;
  do {
    const page: RecordPage = await store.listActive(userId, { limit, after });
    out.push(...page.records);
    after = page.next;
  } while (after !== null);
  return out;
}

/** Walks every page of a user's ended listing (store level). */
export async function listAllEnded(
  store: SessionStore,
  userId: string,
  statuses: readonly EndedSessionStatus[] = ['EXPIRED', 'REVOKED', 'LOGGED_OUT'],
  limit = 100,
): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  let after: PageCursor | null = null;
  do {
    const page: RecordPage = await store.listEnded(userId, { statuses, limit, after });
    out.push(...page.records);
    after = page.next;
  } while (after !== null);
  return out;
}

/** Runs endAllForUser batch after batch, as the manager does; returns every ended record. */
export async function endAll(
  store: SessionStore,
  userId: string,
  end: EndTransition,
  options: {
    exceptSessionId?: string | null;
    liveness: Liveness;
    createdAtOrBefore?: Date;
    limit?: number;
  },
): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  let after: PageCursor | null = null;
  do {
    const batch: EndAllResult = await store.endAllForUser(userId, end, {
      exceptSessionId: options.exceptSessionId ?? null,
      liveness: options.liveness,
      // Default: no creation bound (records from makeRecord are stamped slightly ahead of the clock).
      createdAtOrBefore: options.createdAtOrBefore ?? new Date(8.64e15),
      limit: options.limit ?? 100,
      after,
    });
    out.push(...batch.ended);
    after = batch.next;
  } while (after !== null);
  return out;
}
