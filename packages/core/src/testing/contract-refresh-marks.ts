import { beforeEach, describe, expect, it } from 'vitest';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import type { SessionStore } from '../session-store.js';
import {
  CAPS,
  createTestClock,
  liveness,
  makeRecord,
  NO_GUARD,
  type StoreFactory,
  type TestClock,
  transition,
  uniqueUser,
} from './fixtures.js';

/**
 * `requestRefresh` / `clearRefreshRequest` (claims reload without sign-out):
 * the store's marks and the manager's use of them.
 */
export function claimsRefreshContractTests(factory: StoreFactory): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser();
  });

  const request = () => ({ at: new Date(clock.now()), liveness: liveness(clock) });

  describe('requestRefresh() in the store', () => {
    it('marks every live session of the user in one call, and no one else’s', async () => {
      const a = makeRecord(clock, { userId: user }).record;
      const b = makeRecord(clock, { userId: user }).record;
      const other = makeRecord(clock, { userId: `${user}-other` }).record;
      for (const r of [a, b, other]) await store.create(r, null, CAPS);
      clock.advance(1000);
      expect(await store.requestRefresh({ userId: user }, request())).toBe(2);
      for (const r of [a, b]) {
        expect((await store.get(r.id))?.refreshRequestedAt).toEqual(new Date(clock.now()));
      }
      expect((await store.get(other.id))?.refreshRequestedAt).toBeNull();
    });

    it('marks one session, for its owner only when an owner is given', async () => {
      const a = makeRecord(clock, { userId: user }).record;
      const b = makeRecord(clock, { userId: user }).record;
      for (const r of [a, b]) await store.create(r, null, CAPS);
      const target = (ownerUserId: string | null) => ({ sessionId: a.id, ownerUserId });
      expect(await store.requestRefresh(target('intruder'), request())).toBe(0);
      expect((await store.get(a.id))?.refreshRequestedAt).toBeNull();
      expect(await store.requestRefresh(target(user), request())).toBe(1);
      expect(await store.requestRefresh({ sessionId: b.id, ownerUserId: null }, request())).toBe(1);
      expect((await store.get(a.id))?.refreshRequestedAt).toEqual(new Date(clock.now()));
      const unknown = makeRecord(clock, { userId: user }).record;
      expect(
        await store.requestRefresh({ sessionId: unknown.id, ownerUserId: null }, request()),
      ).toBe(0);
    });

    it('never marks an ended or expired session, and leaves it ended', async () => {
      const ended = makeRecord(clock, { userId: user }).record;
      const expiring = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 1000),
      }).record;
      for (const r of [ended, expiring]) await store.create(r, null, CAPS);
      await store.end(ended.id, transition(clock), NO_GUARD);
      clock.advance(2000);
      expect(await store.requestRefresh({ userId: user }, request())).toBe(0);
      for (const r of [ended, expiring]) {
        expect(await store.requestRefresh({ sessionId: r.id, ownerUserId: null }, request())).toBe(
          0,
        );
        const stored = await store.get(r.id);
        expect(stored?.refreshRequestedAt).toBeNull();
      }
      expect((await store.get(ended.id))?.status).toBe('REVOKED');
    });

    it('a second request in the same millisecond writes a later mark than the first', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.requestRefresh({ userId: user }, request());
      const first = (await store.get(record.id))?.refreshRequestedAt;
      await store.requestRefresh({ userId: user }, request());
      const second = (await store.get(record.id))?.refreshRequestedAt;
      expect(first).toEqual(new Date(clock.now()));
      expect(second?.getTime()).toBe(clock.now() + 1);
    });
  });

  describe('clearRefreshRequest() in the store', () => {
    it('clears only the mark it names: a newer request stays pending', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.requestRefresh({ userId: user }, request());
      const seen = (await store.get(record.id))?.refreshRequestedAt as Date;
      clock.advance(10);
      await store.requestRefresh({ userId: user }, request());
      expect(await store.clearRefreshRequest(record.id, seen)).toBe(false);
      const newer = (await store.get(record.id))?.refreshRequestedAt as Date;
      expect(newer).toEqual(new Date(clock.now()));
      expect(await store.clearRefreshRequest(record.id, newer)).toBe(true);
      expect((await store.get(record.id))?.refreshRequestedAt).toBeNull();
      expect(await store.clearRefreshRequest(record.id, newer)).toBe(false);
    });

    it('clearing keeps every other field of the record', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.requestRefresh({ userId: user }, request());
      const seen = (await store.get(record.id))?.refreshRequestedAt as Date;
      await store.clearRefreshRequest(record.id, seen);
      expect(await store.get(record.id)).toEqual(record);
    });
  });

  describe('through the manager', () => {
    let manager: SessionManager;
    let calls: string[];

    beforeEach(() => {
      calls = [];
      const counted = new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function' || prop === 'bindUserShard') return value;
          return (...args: unknown[]) => {
            calls.push(String(prop));
            return value.apply(target, args);
          };
        },
      });
      manager = createSessionManager({ store: counted, now: () => clock.now() });
    });

    it('validate() carries the mark only while it is pending; a plain validate() is one store call', async () => {
      const { session, token } = await manager.create({ userId: user });
      calls.length = 0;
      const plain = await manager.validate(token);
      expect(plain).not.toHaveProperty('refreshRequestedAt');
      expect(calls).toEqual(['get']);

      calls.length = 0;
      expect(await manager.requestRefresh(user)).toBe(1);
      expect(calls).toEqual(['requestRefresh']);

      const marked = await manager.validate(token);
      expect(marked?.refreshRequestedAt).toEqual(new Date(clock.now()));
      expect(
        await manager.clearRefreshRequest(session.id, marked?.refreshRequestedAt as Date),
      ).toBe(true);
      expect(await manager.validate(token)).not.toHaveProperty('refreshRequestedAt');
    });

    it('requestRefresh({ sessionId, userId }) marks only the owner’s session', async () => {
      const { session, token } = await manager.create({ userId: user });
      expect(await manager.requestRefresh({ sessionId: session.id, userId: 'intruder' })).toBe(0);
      expect(await manager.requestRefresh({ sessionId: session.id })).toBe(1);
      expect((await manager.validate(token))?.refreshRequestedAt).toBeInstanceOf(Date);
    });

    it('refuses malformed targets with InvalidInputError', async () => {
      for (const bad of [null, 42, '', { sessionId: 'short' }] as never[]) {
        await expect(manager.requestRefresh(bad)).rejects.toMatchObject({
          code: 'INVALID_INPUT',
        });
      }
    });
  });
}
