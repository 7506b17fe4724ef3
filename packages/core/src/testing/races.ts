import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionManagerOptions } from '../options.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import type { SessionStore } from '../session-store.js';
import { createTestClock, type StoreFactory, uniqueUser } from './fixtures.js';

/**
 * Puts every store call under the scheduler's control: a call starts only when
 * fast-check decides, so concurrent manager calls interleave their store
 * operations in every order fast-check explores.
 */
function scheduledStore(store: SessionStore, s: fc.Scheduler): SessionStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return s.scheduleFunction(async (...args: unknown[]) => value.apply(target, args));
    },
  });
}

/** Controlled-interleaving race tests (fc.scheduler) for the manager over a store. */
export function raceTests(factory: StoreFactory, numRuns: number, timeout: number): void {
  const setup = async (s: fc.Scheduler, options: Partial<SessionManagerOptions> = {}) => {
    const clock = createTestClock();
    const raw = await factory({ now: () => clock.now() });
    const opts = { now: () => clock.now(), ...options };
    // Setup and checks run on the raw store; only the racing calls are scheduled.
    const direct: SessionManager = createSessionManager({ store: raw, ...opts });
    const racing: SessionManager = createSessionManager({ store: scheduledStore(raw, s), ...opts });
    return { clock, direct, racing, user: uniqueUser('race') };
  };

  const property = (body: (s: fc.Scheduler) => Promise<void>) =>
    fc.assert(fc.asyncProperty(fc.scheduler(), body), { numRuns });

  describe('races under controlled interleavings (fc.scheduler)', () => {
    it(
      'revoke() racing in-flight validate()/touch() always leaves the session revoked',
      () =>
        property(async (s) => {
          const { clock, direct, racing, user } = await setup(s, { touchInterval: 0 });
          const { session, token } = await direct.create({ userId: user });
          clock.advance(5000);
          const calls = Promise.all([
            racing.validate(token),
            racing.touch(token),
            racing.revoke(session.id),
            racing.touch(token),
          ]);
          await s.waitFor(calls);
          expect((await direct.get(session.id))?.status).toBe('REVOKED');
          expect(await direct.validate(token)).toBeNull();
        }),
      timeout,
    );

    it(
      'revokeAll() racing creates ends every session created before it began',
      () =>
        property(async (s) => {
          const { direct, racing, user } = await setup(s);
          const before = await Promise.all([1, 2, 3].map(() => direct.create({ userId: user })));
          const calls = Promise.all([
            racing.revokeAll(user),
            racing.create({ userId: user }),
            racing.create({ userId: user }),
          ]);
          await s.waitFor(calls);
          for (const { token } of before) expect(await direct.validate(token)).toBeNull();
        }),
      timeout,
    );

    it.each(['reject', 'revoke-oldest'] as const)(
      "concurrent creates never exceed maxSessionsPerUser ('%s')",
      (policy) =>
        property(async (s) => {
          const { direct, racing, user } = await setup(s, {
            maxSessionsPerUser: 2,
            onSessionLimit: policy,
          });
          await direct.create({ userId: user });
          const calls = Promise.allSettled([1, 2, 3, 4].map(() => racing.create({ userId: user })));
          const results = await s.waitFor(calls);
          const live = await direct.list(user);
          expect(live.length).toBeLessThanOrEqual(2);
          if (policy === 'reject') {
            expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
            expect(live).toHaveLength(2);
          } else {
            expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
            expect(live).toHaveLength(2);
          }
        }),
      timeout,
    );

    it(
      'strict (refreshReuseGrace: 0): two concurrent refreshes with one refresh token: exactly one succeeds and the replay revokes the session',
      () =>
        property(async (s) => {
          const { direct, racing, user } = await setup(s, {
            refreshTokens: true,
            refreshReuseGrace: 0,
          });
          const { session, refreshToken } = await direct.create({ userId: user });
          const calls = Promise.all([
            racing.refresh(refreshToken as string),
            racing.refresh(refreshToken as string),
          ]);
          const results = await s.waitFor(calls);
          expect(results.filter((r) => r !== null)).toHaveLength(1);
          expect(await direct.get(session.id)).toMatchObject({
            status: 'REVOKED',
            endReason: 'refresh_token_reuse',
          });
        }),
      timeout,
    );
  });
}
