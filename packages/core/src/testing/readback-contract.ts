import { beforeEach, expect, it } from 'vitest';
import { DAY } from '../options.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import type { SessionStore } from '../session-store.js';
import { hashToken } from '../token.js';
import { createTestClock, type StoreFactory, type TestClock, uniqueUser } from './fixtures.js';

/**
 * How the suite reads back what a store persisted, in the database's own form
 * (as Auth.js's adapter suite does), so it can check the storage itself rather
 * than what the store's own reads make of it.
 */
export interface StoreReadBack {
  /**
   * The stored session as the database holds it (a Redis hash or JSON value, a
   * MongoDB document, …), or null when absent. Anything JSON-serialisable.
   */
  rawSession(sessionId: string): Promise<unknown>;
  /**
   * Milliseconds until the database itself deletes the session (a key TTL, a
   * TTL-indexed date), or null when it never will. Omit for stores without
   * storage expiry.
   */
  ttlMs?(sessionId: string): Promise<number | null>;
}

/** Given the store the factory just returned, the read-back hooks into its database. */
export type ReadBackFactory = (store: SessionStore) => StoreReadBack;

const RETENTION = 30 * DAY;
const EXPIRES_IN = 7 * DAY;
// Stores may round TTLs to seconds and read them a little later.
const SLACK_MS = 5_000;

/** What the store persisted: only hashes of secrets, the owner's userId, storage expiry. */
export function readBackTests(factory: StoreFactory, readBackOf: ReadBackFactory): void {
  let clock: TestClock;
  let manager: SessionManager;
  let readBack: StoreReadBack;
  let user: string;

  beforeEach(async () => {
    clock = createTestClock();
    const store = await factory({ now: () => clock.now() });
    readBack = readBackOf(store);
    manager = createSessionManager({
      store,
      now: () => clock.now(),
      refreshTokens: true,
      expiresIn: EXPIRES_IN,
      historyRetention: RETENTION,
      secret: 'conformance-read-back-secret-0123456789abcdef',
    });
    user = uniqueUser('readback');
  });

  const raw = async (sessionId: string) => JSON.stringify(await readBack.rawSession(sessionId));

  it('persists hashes of the token and refresh token, never the secrets, under the owner userId', async () => {
    const created = await manager.create({ userId: user });
    const first = await raw(created.session.id);
    expect(first).not.toBe('null');
    expect(first).toContain(user);
    expect(first).toContain(hashToken(created.token));
    expect(first).not.toContain(created.token);
    expect(first).not.toContain(created.refreshToken);
    expect(first).toContain(hashToken(created.refreshToken as string));

    const refreshed = await manager.refresh(created.refreshToken as string);
    expect(refreshed).not.toBeNull();
    const second = await raw(created.session.id);
    expect(second).toContain(hashToken(refreshed?.token as string));
    for (const secret of [refreshed?.token, refreshed?.refreshToken, created.token]) {
      expect(second).not.toContain(secret);
    }

    await manager.revoke(created.session.id);
    const ended = await raw(created.session.id);
    expect(ended).toContain(user);
    for (const secret of [refreshed?.token, refreshed?.refreshToken]) {
      expect(ended).not.toContain(secret);
    }
  });

  it('sets storage expiry where the store has one: expiry + retention while live, retention once ended', async (context) => {
    const ttlMs = readBack.ttlMs?.bind(readBack);
    if (!ttlMs) {
      context.skip();
      return;
    }
    const { session } = await manager.create({ userId: user });
    const live = await ttlMs(session.id);
    expect(live).not.toBeNull();
    expect(live as number).toBeGreaterThan(EXPIRES_IN);
    expect(live as number).toBeLessThanOrEqual(EXPIRES_IN + RETENTION + SLACK_MS);

    await manager.revoke(session.id);
    const ended = await ttlMs(session.id);
    expect(ended).not.toBeNull();
    expect(ended as number).toBeGreaterThan(RETENTION - SLACK_MS);
    expect(ended as number).toBeLessThanOrEqual(RETENTION + SLACK_MS);
  });
}
