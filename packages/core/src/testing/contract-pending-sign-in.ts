import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { PendingSignInError, SessionLimitError } from '../errors.js';
import { MINUTE } from '../options.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import {
  isLive,
  type PendingSignInRecord,
  type SessionLimit,
  type SessionRecord,
  type SessionStore,
  type SignInCompletion,
} from '../session-store.js';
import { createSessionId, createToken, hashToken, sessionIdShard } from '../token.js';
import {
  CAPS,
  createTestClock,
  listAllActive,
  liveness,
  makeRecord,
  type StoreFactory,
  type TestClock,
  transition,
  uniqueUser,
} from './fixtures.js';

/**
 * Held sign-ins (`limitPolicy: 'ask'`): holdSignIn, getPendingSignIn and
 * completeSignIn, with their atomicity claims tested under real concurrency
 * (every call in flight at once against the store) and, through the manager,
 * under fast-check's controlled interleavings.
 */
export function pendingSignInContractTests(factory: StoreFactory, numRuns: number): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser('held');
  });

  const held = (userId: string, ttl = 5 * MINUTE): PendingSignInRecord => {
    const id = createToken(createSessionId(userId));
    return {
      key: sessionIdShard(id) + hashToken(id),
      userId,
      expiresAt: new Date(clock.now() + ttl),
      payload: JSON.stringify({ metadata: {}, data: { name: 'Ada' } }),
    };
  };

  const limit = (max: number): SessionLimit => ({
    max,
    onExceed: 'reject',
    liveness: liveness(clock),
    eviction: transition(clock, 'REVOKED', 'session_limit'),
  });

  const completion = (endSessionId: string, max: number, userId = user): SignInCompletion => ({
    userId,
    endSessionId,
    end: transition(clock, 'REVOKED', 'revoked_by_user'),
    record: makeRecord(clock, { userId }).record,
    limit: limit(max),
    options: CAPS,
  });

  /** `n` live sessions of the user, created without a limit. */
  const seed = async (n: number, userId = user): Promise<SessionRecord[]> => {
    const out: SessionRecord[] = [];
    for (let i = 0; i < n; i++) {
      const { record } = makeRecord(clock, { userId });
      await store.create(record, null, CAPS);
      out.push(record);
    }
    return out;
  };

  const liveCount = async (userId = user) =>
    (await listAllActive(store, userId)).filter((r) => isLive(r, liveness(clock))).length;

  describe('holdSignIn() and getPendingSignIn()', () => {
    it('reads a held sign-in back unchanged until it expires, then never again', async () => {
      const pending = held(user, 60_000);
      await store.holdSignIn(pending);
      expect(await store.getPendingSignIn(pending.key, new Date(clock.now()))).toEqual(pending);
      clock.advance(59_999);
      expect(await store.getPendingSignIn(pending.key, new Date(clock.now()))).not.toBeNull();
      clock.advance(1);
      expect(await store.getPendingSignIn(pending.key, new Date(clock.now()))).toBeNull();
    });

    it('getPendingSignIn() of an unknown key is null', async () => {
      expect(await store.getPendingSignIn(held(user).key, new Date(clock.now()))).toBeNull();
    });
  });

  describe('completeSignIn()', () => {
    it('ends the chosen session, inserts the held one and consumes the hold, in one step', async () => {
      const [a, b] = await seed(2);
      const pending = held(user);
      await store.holdSignIn(pending);
      const done = completion(a?.id ?? '', 2);
      const result = await store.completeSignIn(pending.key, done);
      expect(result.outcome).toBe('created');
      if (result.outcome !== 'created') return;
      expect(result.session).toEqual(done.record);
      expect(result.ended.id).toBe(a?.id);
      expect(result.ended.status).toBe('REVOKED');
      expect(result.ended.endReason).toBe('revoked_by_user');
      expect(result.knownDevice).toBe(true); // the seeded sessions share the device key
      expect((await store.get(a?.id ?? ''))?.status).toBe('REVOKED');
      expect((await store.get(b?.id ?? ''))?.status).toBe('ACTIVE');
      expect(await store.get(done.record.id)).toEqual(done.record);
      expect(await liveCount()).toBe(2);
      // Single use.
      expect(await store.getPendingSignIn(pending.key, new Date(clock.now()))).toBeNull();
      const again = await store.completeSignIn(pending.key, completion(b?.id ?? '', 2));
      expect(again).toEqual({ outcome: 'not_found' });
      expect((await store.get(b?.id ?? ''))?.status).toBe('ACTIVE');
    });

    it('a choice that is not a live session of the user writes nothing and keeps the hold', async () => {
      const [a] = await seed(2);
      const [stranger] = await seed(1, uniqueUser('stranger'));
      const pending = held(user);
      await store.holdSignIn(pending);
      for (const choice of [stranger?.id ?? '', createSessionId(user)]) {
        const done = completion(choice, 2);
        expect(await store.completeSignIn(pending.key, done)).toEqual({
          outcome: 'choice_invalid',
        });
        expect(await store.get(done.record.id)).toBeNull();
      }
      expect((await store.get(stranger?.id ?? ''))?.status).toBe('ACTIVE');
      // An ended session is no choice either.
      await store.end(a?.id ?? '', transition(clock), { userId: null, tokenHash: null });
      expect((await store.completeSignIn(pending.key, completion(a?.id ?? '', 2))).outcome).toBe(
        'choice_invalid',
      );
      expect(await store.getPendingSignIn(pending.key, new Date(clock.now()))).toEqual(pending);
    });

    it('refuses a hold of another user, or one that expired, and writes nothing', async () => {
      const [a] = await seed(2);
      const other = held(uniqueUser('other'));
      await store.holdSignIn(other);
      expect(await store.completeSignIn(other.key, completion(a?.id ?? '', 2))).toEqual({
        outcome: 'not_found',
      });
      const pending = held(user, 10_000);
      await store.holdSignIn(pending);
      clock.advance(10_000);
      expect(await store.completeSignIn(pending.key, completion(a?.id ?? '', 2))).toEqual({
        outcome: 'not_found',
      });
      expect((await store.get(a?.id ?? ''))?.status).toBe('ACTIVE');
    });

    it('refuses when the user stays over the limit even without the chosen session', async () => {
      const [a] = await seed(3);
      const pending = held(user);
      await store.holdSignIn(pending);
      const done = completion(a?.id ?? '', 2);
      expect(await store.completeSignIn(pending.key, done)).toEqual({
        outcome: 'limit_reached',
        activeCount: 3,
      });
      expect((await store.get(a?.id ?? ''))?.status).toBe('ACTIVE');
      expect(await store.get(done.record.id)).toBeNull();
      expect(await store.getPendingSignIn(pending.key, new Date(clock.now()))).not.toBeNull();
    });

    it('concurrent completions (same hold, same choice, different choices) never exceed the limit', async () => {
      const [a, b] = await seed(2);
      const p1 = held(user);
      const p2 = held(user);
      const p3 = held(user);
      await Promise.all([store.holdSignIn(p1), store.holdSignIn(p2), store.holdSignIn(p3)]);
      const results = await Promise.all([
        store.completeSignIn(p1.key, completion(a?.id ?? '', 2)),
        store.completeSignIn(p1.key, completion(b?.id ?? '', 2)),
        store.completeSignIn(p2.key, completion(a?.id ?? '', 2)),
        store.completeSignIn(p3.key, completion(b?.id ?? '', 2)),
        store.create(makeRecord(clock, { userId: user }).record, limit(2), CAPS),
      ]);
      const created = results.filter((r) => r.outcome === 'created');
      expect(await liveCount()).toBe(2);
      // p1 completes at most once; each of a and b is ended at most once.
      const completions = results.slice(0, 4).filter((r) => r.outcome === 'created');
      expect(completions.length).toBeLessThanOrEqual(2);
      expect(created.length).toBeLessThanOrEqual(2);
      expect(results[0]?.outcome === 'created' && results[1]?.outcome === 'created').toBe(false);
    });
  });

  describe("manager with limitPolicy: 'ask'", () => {
    const managerOf = (s: SessionStore, c: TestClock): SessionManager =>
      createSessionManager({
        store: s,
        now: () => c.now(),
        maxSessionsPerUser: 2,
        limitPolicy: 'ask',
      });

    it('holds the sign-in at the limit, shows the choices without secrets, and completes once', async () => {
      const manager = managerOf(store, clock);
      const first = await manager.create({ userId: user });
      await manager.create({ userId: user });
      const error = await manager
        .create({ userId: user, pendingData: { name: 'Ada' } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionLimitError);
      const { pendingSignIn, sessions } = error as SessionLimitError;
      expect(pendingSignIn?.id).toMatch(/^[A-Za-z0-9_-]{71}$/);
      expect(sessions).toHaveLength(2);
      expect(JSON.stringify(sessions)).not.toMatch(/tokenHash|refreshTokenHash/);
      expect(JSON.stringify(error)).not.toContain(pendingSignIn?.id);
      expect((error as Error).message).not.toContain(pendingSignIn?.id);
      const id = pendingSignIn?.id ?? '';
      const view = await manager.getPendingSignIn(id);
      expect(view?.userId).toBe(user);
      expect(view?.data).toEqual({ name: 'Ada' });
      expect(view?.sessions.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());

      const done = await manager.completePendingSignIn(id, { endSessionId: first.session.id });
      expect(done.data).toEqual({ name: 'Ada' });
      expect(await manager.validate(done.token)).not.toBeNull();
      expect(await manager.validate(first.token)).toBeNull();
      expect((await manager.get(first.session.id))?.endReason).toBe('revoked_by_user');
      await expect(
        manager.completePendingSignIn(id, { endSessionId: done.session.id }),
      ).rejects.toMatchObject({ code: 'PENDING_SIGN_IN_NOT_FOUND' });
      expect(await manager.getPendingSignIn(id)).toBeNull();
    });

    it('a choice of a session that just ended asks again; the sign-in stays held', async () => {
      const manager = managerOf(store, clock);
      const first = await manager.create({ userId: user });
      const second = await manager.create({ userId: user });
      const error = (await manager.create({ userId: user }).catch((e) => e)) as SessionLimitError;
      await manager.revoke(first.session.id);
      await expect(
        manager.completePendingSignIn(error.pendingSignIn?.id ?? '', {
          endSessionId: first.session.id,
        }),
      ).rejects.toBeInstanceOf(PendingSignInError);
      const done = await manager.completePendingSignIn(error.pendingSignIn?.id ?? '', {
        endSessionId: second.session.id,
      });
      expect(await manager.validate(done.token)).not.toBeNull();
    });

    it('two devices choosing at once, racing a plain sign-in, never exceed the limit (fc.scheduler)', () =>
      fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 2, maxLength: 2 }),
          async (s, picks) => {
            const c = createTestClock();
            const raw = await factory({ now: () => c.now() });
            const u = uniqueUser('held-race');
            const direct = managerOf(raw, c);
            const scheduled = new Proxy(raw, {
              get(target, prop, receiver) {
                const value = Reflect.get(target, prop, receiver);
                if (typeof value !== 'function') return value;
                return s.scheduleFunction(async (...args: unknown[]) => value.apply(target, args));
              },
            });
            const racing = managerOf(scheduled, c);
            const live = [await direct.create({ userId: u }), await direct.create({ userId: u })];
            const holds: string[] = [];
            for (let i = 0; i < 2; i++) {
              const e = (await direct.create({ userId: u }).catch((x) => x)) as SessionLimitError;
              holds.push(e.pendingSignIn?.id ?? '');
            }
            const calls = Promise.allSettled([
              racing.completePendingSignIn(holds[0] ?? '', {
                endSessionId: live[picks[0] ?? 0]?.session.id ?? '',
              }),
              racing.completePendingSignIn(holds[1] ?? '', {
                endSessionId: live[picks[1] ?? 0]?.session.id ?? '',
              }),
              racing.create({ userId: u }),
            ]);
            await s.waitFor(calls);
            const outcomes = await calls;
            expect((await direct.list(u)).length).toBeLessThanOrEqual(2);
            // Different choices: both completions win unless the plain sign-in took a slot first.
            const won = outcomes.filter((o) => o.status === 'fulfilled').length;
            expect(won).toBeGreaterThanOrEqual(1);
          },
        ),
        { numRuns },
      ));
  });
}
