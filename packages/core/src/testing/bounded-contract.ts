import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { DAY } from '../options.js';
import { createSessionManager } from '../session-manager.js';
import type { SessionRecord, SessionStore } from '../session-store.js';
import {
  CAPS,
  createTestClock,
  endAll,
  listAllActive,
  listAllEnded,
  liveness,
  makeRecord,
  NO_GUARD,
  type StoreFactory,
  type TestClock,
  transition,
  uniqueUser,
} from './fixtures.js';

const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);
const countIds = (records: readonly { id: string }[]) => {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  return counts;
};

/**
 * Bounded per-user work: paginated listings with stable cursors, revokeAll in
 * batches with exact semantics, caps on history and known devices, ill-formed
 * user ids, and the userId defence.
 */
export function boundedWorkTests(factory: StoreFactory): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser();
  });

  const createMany = async (n: number, userId = user, step = 0): Promise<SessionRecord[]> => {
    const out: SessionRecord[] = [];
    for (let i = 0; i < n; i++) {
      if (step > 0) clock.advance(step);
      const { record } = makeRecord(clock, { userId });
      await store.create(record, null, CAPS);
      out.push(record);
    }
    return out;
  };

  describe('listActive() pages', () => {
    it('orders by (expiresAt, id) descending and never examines more than limit', async () => {
      const created = await createMany(9, user, 1000);
      // Same expiresAt for these: the id breaks the tie.
      const tied = await createMany(4);
      const expected = [...created, ...tied].sort(
        (a, b) =>
          b.expiresAt.getTime() - a.expiresAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
      const first = await store.listActive(user, { limit: 5, after: null });
      expect(first.records.length).toBeLessThanOrEqual(5);
      expect(first.next).not.toBeNull();
      expect(ids(await listAllActive(store, user, 5))).toEqual(ids(expected));
      expect(ids(await listAllActive(store, user, 1))).toEqual(ids(expected));
    });

    it('lists every session exactly once across pages while others are created and ended', async () => {
      const existing = await createMany(24, user, 10);
      const seen: SessionRecord[] = [];
      const endedMidway = new Set<string>();
      const createdMidway = new Set<string>();
      let after = null;
      let round = 0;
      do {
        const page: Awaited<ReturnType<SessionStore['listActive']>> = await store.listActive(user, {
          limit: 4,
          after,
        });
        seen.push(...page.records);
        after = page.next;
        round++;
        // Between pages: a new sign-in, and one not-yet-listed and one listed session ended.
        clock.advance(10);
        const { record } = makeRecord(clock, { userId: user });
        await store.create(record, null, CAPS);
        createdMidway.add(record.id);
        const seenIds = new Set(ids(seen));
        const unseen = existing.find((r) => !seenIds.has(r.id) && !endedMidway.has(r.id));
        if (unseen && round % 2 === 0) {
          await store.end(unseen.id, transition(clock), NO_GUARD);
          endedMidway.add(unseen.id);
        }
        const listed = seen.find((r) => !endedMidway.has(r.id));
        if (listed && round % 3 === 0) {
          await store.end(listed.id, transition(clock), NO_GUARD);
          endedMidway.add(listed.id);
        }
      } while (after !== null);

      const counts = countIds(seen);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      for (const r of existing) {
        // Present throughout: exactly once. Ended before its page: absent.
        if (!endedMidway.has(r.id)) expect(counts.get(r.id)).toBe(1);
      }
      expect(seen.every((r) => r.status === 'ACTIVE' && r.userId === user)).toBe(true);
      // Created after the first page: newer expiresAt, so sorted before every cursor: never listed.
      expect(seen.filter((r) => createdMidway.has(r.id))).toEqual([]);
    });

    it('never lists another user', async () => {
      await createMany(3, uniqueUser());
      await createMany(2);
      const listed = await listAllActive(store, user, 1);
      expect(listed).toHaveLength(2);
      expect(listed.every((r) => r.userId === user)).toBe(true);
    });
  });

  describe('listEnded() pages', () => {
    it('most recently ended first, filtered by status, every record once', async () => {
      const created = await createMany(10);
      const endedOrder: string[] = [];
      for (const [i, r] of created.entries()) {
        clock.advance(1000);
        const status = i % 2 === 0 ? 'REVOKED' : 'LOGGED_OUT';
        await store.end(r.id, transition(clock, status, 'x'), NO_GUARD);
        endedOrder.unshift(r.id);
      }
      expect(ids(await listAllEnded(store, user, undefined, 3))).toEqual(endedOrder);
      const revoked = await listAllEnded(store, user, ['REVOKED'], 3);
      expect(ids(revoked)).toEqual(endedOrder.filter((_, i) => i % 2 === 1));
      expect(revoked.every((r) => r.status === 'REVOKED')).toBe(true);
    });

    it('pages through sessions that ended at the same instant (one revokeAll) exactly once', async () => {
      const created = await createMany(13);
      await endAll(store, user, transition(clock), { liveness: liveness(clock), limit: 4 });
      const walked = await listAllEnded(store, user, ['REVOKED'], 5);
      expect(ids(walked).sort()).toEqual(ids(created).sort());
      // Ties on endedAt are ordered by id, descending.
      expect(ids(walked)).toEqual(ids(created).sort().reverse());
    });
  });

  describe('endAllForUser() in batches', () => {
    it('ends exactly the live sessions that existed, in batches of at most limit', async () => {
      const before = await createMany(23, user, 5);
      const keep = before[7] as SessionRecord;
      const started = new Date(before.at(-1)?.createdAt.getTime() ?? 0);
      const expiring = makeRecord(clock, { userId: user, expiresAt: new Date(clock.now() + 1) });
      await store.create(expiring.record, null, CAPS);
      clock.advance(1000);
      const t = transition(clock);
      const ended: SessionRecord[] = [];
      const createdBetween: SessionRecord[] = [];
      let after = null;
      do {
        const batch: Awaited<ReturnType<SessionStore['endAllForUser']>> = await store.endAllForUser(
          user,
          t,
          {
            exceptSessionId: keep.id,
            liveness: liveness(clock),
            createdAtOrBefore: started,
            limit: 5,
            after,
          },
        );
        expect(batch.ended.length).toBeLessThanOrEqual(5);
        ended.push(...batch.ended);
        after = batch.next;
        // A sign-in while the batches run: created after the call began, never touched.
        clock.advance(1);
        const { record } = makeRecord(clock, { userId: user });
        await store.create(record, null, CAPS);
        createdBetween.push(record);
      } while (after !== null);

      expect(ids(ended).sort()).toEqual(ids(before.filter((r) => r.id !== keep.id)).sort());
      expect([...countIds(ended).values()].every((n) => n === 1)).toBe(true);
      expect(ended.every((r) => r.status === 'REVOKED' && r.userId === user)).toBe(true);
      expect((await store.get(keep.id))?.status).toBe('ACTIVE');
      expect((await store.get(expiring.record.id))?.status).toBe('ACTIVE');
      for (const r of createdBetween) expect((await store.get(r.id))?.status).toBe('ACTIVE');
      // A second pass finds nothing more that existed when the first began.
      expect(
        await endAll(store, user, t, {
          exceptSessionId: keep.id,
          liveness: liveness(clock),
          createdAtOrBefore: started,
        }),
      ).toEqual([]);
    });

    it('stopped midway (a crash), leaves every session untouched or fully ended, indexes agree', async () => {
      const created = await createMany(12, user, 5);
      const t = transition(clock);
      const first = await store.endAllForUser(user, t, {
        exceptSessionId: null,
        liveness: liveness(clock),
        createdAtOrBefore: new Date(8.64e15),
        limit: 5,
        after: null,
      });
      expect(first.ended).toHaveLength(5);
      const active = new Set(ids(await listAllActive(store, user, 3)));
      const ended = new Set(ids(await listAllEnded(store, user, ['REVOKED'], 3)));
      for (const r of created) {
        const stored = await store.get(r.id);
        if (stored?.status === 'ACTIVE') {
          expect(active.has(r.id) && !ended.has(r.id)).toBe(true);
          expect(stored.endedAt).toBeNull();
        } else {
          expect(stored).toMatchObject({
            status: 'REVOKED',
            endReason: t.reason,
            endedAt: t.endedAt,
          });
          expect(ended.has(r.id) && !active.has(r.id)).toBe(true);
        }
      }
      expect(active.size).toBe(7);
    });

    it('never ends a session of another user', async () => {
      const other = uniqueUser();
      const theirs = await createMany(3, other);
      await createMany(3);
      const ended = await endAll(store, user, transition(clock), { liveness: liveness(clock) });
      expect(ended).toHaveLength(3);
      for (const r of theirs) expect((await store.get(r.id))?.status).toBe('ACTIVE');
    });
  });

  describe('caps', () => {
    it('keeps at most historyCap ended sessions per user, dropping the oldest ended', async () => {
      const created = await createMany(8);
      for (const r of created) {
        clock.advance(1000);
        await store.end(r.id, transition(clock, 'REVOKED', 'x', 5), NO_GUARD);
      }
      const history = await listAllEnded(store, user, undefined, 2);
      expect(ids(history)).toEqual(ids(created.slice(-5)).reverse());
      // Batch ends honour the cap too.
      const more = await createMany(4);
      clock.advance(1000);
      await endAll(store, user, transition(clock, 'REVOKED', 'y', 5), {
        liveness: liveness(clock),
      });
      const after = await listAllEnded(store, user);
      expect(after).toHaveLength(5);
      expect(ids(after)).toEqual(expect.arrayContaining(ids(more)));
    });

    it('keeps at most deviceCap known devices per user, dropping the oldest first', async () => {
      const keys = Array.from({ length: 6 }, (_, i) => `dEvIcEcApKeY00000000${i}`.slice(0, 22));
      for (const deviceKey of keys) {
        clock.advance(1000);
        const { record } = makeRecord(clock, {
          userId: user,
          deviceKey,
          purgeAt: new Date(clock.now() + 100 * DAY),
        });
        await store.create(record, null, { ...CAPS, deviceCap: 4 });
      }
      const devices = await store.listDevices(user);
      expect(devices.map((d) => d.id).sort()).toEqual(keys.slice(-4).sort());
    });
  });

  describe('user ids that are not well-formed text', () => {
    it('a lone surrogate never reaches, lists or ends the user it would collide with', async () => {
      const victim = `${user}-\ufffd`;
      const forged = `${user}-\ud800`;
      const [record] = await createMany(1, victim);
      const attempt = async <T>(fn: () => Promise<T>): Promise<T | 'refused'> => {
        try {
          return await fn();
        } catch {
          return 'refused';
        }
      };
      const listed = await attempt(() => store.listActive(forged, { limit: 10, after: null }));
      if (listed !== 'refused') expect(listed.records).toEqual([]);
      const ended = await attempt(() =>
        store.endAllForUser(forged, transition(clock), {
          exceptSessionId: null,
          liveness: liveness(clock),
          createdAtOrBefore: new Date(8.64e15),
          limit: 10,
          after: null,
        }),
      );
      if (ended !== 'refused') expect(ended.ended).toEqual([]);
      expect((await store.get(record?.id ?? ''))?.status).toBe('ACTIVE');
    });

    it('the manager rejects them with InvalidInputError before the store', async () => {
      const m = createSessionManager({ store, now: () => clock.now() });
      const bad = 'bob\ud800';
      const { session } = await m.create({ userId: user });
      const calls: [string, () => Promise<unknown>][] = [
        ['create', () => m.create({ userId: bad })],
        ['list', () => m.list(bad)],
        ['listPage', () => m.listPage(bad)],
        ['history', () => m.history(bad)],
        ['revokeAll', () => m.revokeAll(bad)],
        ['revoke userId', () => m.revoke(session.id, { userId: bad })],
        ['revoke reason', () => m.revoke(session.id, { reason: 'x\udc00y' })],
        ['revokeAll reason', () => m.revokeAll(user, { reason: '\ud83d' })],
        ['markVerified method', () => m.markVerified(session.id, { method: 'totp\ud800' })],
        ['listDevices', () => m.listDevices(bad)],
      ];
      for (const [name, call] of calls) {
        await expect(call(), name).rejects.toBeInstanceOf(InvalidInputError);
      }
      expect((await m.get(session.id))?.status).toBe('ACTIVE');
      // Well-formed astral characters (a surrogate pair) are fine.
      await expect(m.create({ userId: `${user}-😀` })).resolves.toBeTruthy();
    });
  });

  describe('manager over bounded stores', () => {
    it('listPage() walks pages with a cursor; list() is the first page; bad cursors are InvalidInputError', async () => {
      const m = createSessionManager({ store, now: () => clock.now(), maxSessionsPerUser: null });
      const created = [];
      for (let i = 0; i < 7; i++) {
        clock.advance(10);
        created.push((await m.create({ userId: user })).session.id);
      }
      clock.advance(10);
      await m.revoke(created[0] as string);
      await m.revoke(created[1] as string);
      const first = await m.listPage(user, { limit: 3 });
      expect(first.sessions).toHaveLength(3);
      expect(first.nextCursor).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(await m.list(user, { limit: 3 })).toEqual(first.sessions);
      const all = [...first.sessions];
      let cursor = first.nextCursor;
      while (cursor !== null) {
        const page = await m.listPage(user, { limit: 3, cursor });
        all.push(...page.sessions);
        cursor = page.nextCursor;
      }
      expect(ids(all).sort()).toEqual(created.slice(2).sort());
      // Mixed statuses: the ACTIVE part, then the ended part, each once.
      const mixed = [];
      cursor = null;
      do {
        const page = await m.listPage(user, {
          status: ['ACTIVE', 'REVOKED'],
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        mixed.push(...page.sessions);
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(ids(mixed).sort()).toEqual([...created].sort());
      for (const bad of ['', 'x', 'a.zz', `a.1.${'!'.repeat(28)}`, 'e.-1.abc', 42]) {
        await expect(
          m.listPage(user, { cursor: bad as string }),
          String(bad),
        ).rejects.toBeInstanceOf(InvalidInputError);
      }
      await expect(m.list(user, { limit: 101 })).rejects.toBeInstanceOf(InvalidInputError);
    });

    it('limits sessions per user to 100 by default (revoke-oldest)', async () => {
      const m = createSessionManager({ store, now: () => clock.now() });
      const first = await m.create({ userId: user });
      for (let i = 0; i < 100; i++) {
        clock.advance(1);
        await m.create({ userId: user });
      }
      expect((await m.get(first.session.id))?.endReason).toBe('session_limit');
      expect(await m.list(user)).toHaveLength(100);
    });

    it('revokeAll() ends more sessions than one batch holds: exact count, one event each', async () => {
      const m = createSessionManager({ store, now: () => clock.now(), maxSessionsPerUser: null });
      const keep = await m.create({ userId: user });
      for (let i = 0; i < 130; i++) await m.create({ userId: user });
      const events: string[] = [];
      m.on('revoked', ({ session }) => {
        events.push(session.id);
      });
      clock.advance(1);
      expect(await m.revokeAll(user, { except: keep.session.id })).toBe(130);
      expect(new Set(events).size).toBe(130);
      expect(ids(await m.list(user))).toEqual([keep.session.id]);
      expect(await m.revokeAll(user, { except: keep.session.id })).toBe(0);
    });
  });
}
