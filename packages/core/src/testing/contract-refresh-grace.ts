import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SessionManagerOptions } from '../options.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import type { RefreshRotation, SessionStore } from '../session-store.js';
import { hashToken } from '../token.js';
import {
  CAPS,
  createTestClock,
  liveness,
  makeRecord,
  type StoreFactory,
  type TestClock,
  transition,
  uniqueUser,
} from './fixtures.js';

// Issue 17 item 4: the refresh-token reuse grace window (multi-tab refresh).
const SECRET = 'conformance-secret-0123456789abcdefghijklmnop';
const GRACE = 10_000;

/** Store-level cases of `rotateRefreshToken` with `reuseGraceSince`, and manager races. */
export function refreshGraceContractTests(
  factory: StoreFactory,
  numRuns: number,
  raceTimeout: number,
): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser('grace');
  });

  const rotation = (presented: string, graceMs: number | null): RefreshRotation => ({
    presentedHash: hashToken(presented),
    tokenHash: hashToken(`${presented}-next-token`),
    refreshTokenHash: hashToken(`${presented}-next-refresh`),
    at: new Date(clock.now()),
    liveness: liveness(clock),
    maxRetiredHashes: 3,
    onReuse: transition(clock, 'REVOKED', 'refresh_token_reuse'),
    reuseGraceSince: graceMs === null ? null : new Date(clock.now() - graceMs),
  });

  describe('rotateRefreshToken() reuse grace window', () => {
    it('records when the pair was rotated', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      clock.advance(1234);
      await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE));
      expect((await store.get(record.id))?.refreshTokenHash).toBe(
        hashToken(`${refreshToken}-next-refresh`),
      );
      expect((await store.get(record.id))?.refreshRotatedAt).toEqual(new Date(clock.now()));
    });

    it('the token rotated out last, within the window: grace, nothing written', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE));
      const before = await store.get(record.id);
      clock.advance(GRACE - 1);
      const again = await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE));
      expect(again.outcome).toBe('grace');
      if (again.outcome !== 'grace') return;
      expect(again.session.refreshTokenHash).toBe(hashToken(`${refreshToken}-next-refresh`));
      expect(again.session.tokenHash).toBe(hashToken(`${refreshToken}-next-token`));
      expect(await store.get(record.id)).toEqual(before);
    });

    it('at the window boundary still grace; one millisecond later reuse revokes', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE));
      clock.advance(GRACE);
      expect(
        (await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE))).outcome,
      ).toBe('grace');
      clock.advance(1);
      expect(
        await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE)),
      ).toMatchObject({
        outcome: 'reused',
        revoked: true,
      });
      expect(await store.get(record.id)).toMatchObject({
        status: 'REVOKED',
        endReason: 'refresh_token_reuse',
      });
    });

    it('a token whose successor was already rotated is reuse, even within the window', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE));
      await store.rotateRefreshToken(record.id, rotation(`${refreshToken}-next-refresh`, GRACE));
      expect(
        await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE)),
      ).toMatchObject({
        outcome: 'reused',
        revoked: true,
      });
    });

    it('strict (null): the token rotated out last is reuse at once', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.rotateRefreshToken(record.id, rotation(refreshToken, null));
      expect(await store.rotateRefreshToken(record.id, rotation(refreshToken, null))).toMatchObject(
        {
          outcome: 'reused',
          revoked: true,
        },
      );
    });

    it('no grace for an ended or expired session', async () => {
      const ended = makeRecord(clock, { userId: user });
      const expiring = makeRecord(clock, { userId: user, expiresAt: new Date(clock.now() + 1000) });
      await store.create(ended.record, null, CAPS);
      await store.create(expiring.record, null, CAPS);
      await store.rotateRefreshToken(ended.record.id, rotation(ended.refreshToken, GRACE));
      await store.rotateRefreshToken(expiring.record.id, rotation(expiring.refreshToken, GRACE));
      await store.end(ended.record.id, transition(clock), { userId: null, tokenHash: null });
      clock.advance(2000);
      for (const { record, refreshToken } of [ended, expiring]) {
        expect(
          await store.rotateRefreshToken(record.id, rotation(refreshToken, GRACE)),
        ).toMatchObject({ outcome: 'reused', revoked: false });
      }
    });
  });

  describe('refresh() within the reuse grace window (manager)', () => {
    const manager = (options: Partial<SessionManagerOptions> = {}): SessionManager =>
      createSessionManager({
        store,
        now: () => clock.now(),
        refreshTokens: true,
        secret: SECRET,
        ...options,
      });

    it('the second tab gets the very pair the first one got; both keep working', async () => {
      const m = manager();
      const { session, refreshToken } = await m.create({ userId: user });
      const first = await m.refresh(refreshToken as string);
      clock.advance(3000);
      const second = await m.refresh(refreshToken as string);
      expect(first).not.toBeNull();
      expect(second?.token).toBe(first?.token);
      expect(second?.refreshToken).toBe(first?.refreshToken);
      expect((await m.validate(first?.token as string))?.id).toBe(session.id);
      // The shared successor rotates on as usual.
      expect(await m.refresh(first?.refreshToken as string)).not.toBeNull();
    });

    it('after the window the old token revokes the session (refresh_token_reuse)', async () => {
      const m = manager();
      const { session, refreshToken } = await m.create({ userId: user });
      await m.refresh(refreshToken as string);
      clock.advance(GRACE + 1);
      expect(await m.refresh(refreshToken as string)).toBeNull();
      expect(await m.get(session.id)).toMatchObject({
        status: 'REVOKED',
        endReason: 'refresh_token_reuse',
      });
    });

    it('refreshReuseGrace: 0 is strict: the second refresh revokes', async () => {
      const m = manager({ refreshReuseGrace: 0 });
      const { session, refreshToken } = await m.create({ userId: user });
      expect(await m.refresh(refreshToken as string)).not.toBeNull();
      expect(await m.refresh(refreshToken as string)).toBeNull();
      expect((await m.get(session.id))?.status).toBe('REVOKED');
    });

    it('an instance with another key cannot reproduce the pair: no session, and no revocation', async () => {
      // b first: the last manager made binds the store's user shard (Redis Cluster).
      const b = manager({ secret: `${SECRET}-another-instance` });
      const a = manager();
      const { session, refreshToken } = await a.create({ userId: user });
      const first = await a.refresh(refreshToken as string);
      expect(await b.refresh(refreshToken as string)).toBeNull();
      expect((await a.get(session.id))?.status).toBe('ACTIVE');
      expect((await a.validate(first?.token as string))?.id).toBe(session.id);
    });
  });

  /** Every store call starts only when fast-check's scheduler says so. */
  const scheduled = (raw: SessionStore, s: fc.Scheduler): SessionStore =>
    new Proxy(raw, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return s.scheduleFunction(async (...args: unknown[]) => value.apply(target, args));
      },
    });

  const raceSetup = async (s: fc.Scheduler, options: Partial<SessionManagerOptions> = {}) => {
    const raceClock = createTestClock();
    const raw = await factory({ now: () => raceClock.now() });
    const opts = {
      now: () => raceClock.now(),
      refreshTokens: true,
      secret: SECRET,
      ...options,
    };
    return {
      direct: createSessionManager({ store: raw, ...opts }),
      racing: createSessionManager({ store: scheduled(raw, s), ...opts }),
      user: uniqueUser('grace-race'),
    };
  };

  const property = (body: (s: fc.Scheduler) => Promise<void>) =>
    fc.assert(fc.asyncProperty(fc.scheduler(), body), { numRuns });

  describe('reuse grace races (fc.scheduler)', () => {
    it(
      'tabs refreshing with one token at once all get the same pair; the session stays active',
      () =>
        property(async (s) => {
          const { direct, racing, user: u } = await raceSetup(s);
          const { session, refreshToken } = await direct.create({ userId: u });
          const calls = Promise.all([1, 2, 3].map(() => racing.refresh(refreshToken as string)));
          const results = await s.waitFor(calls);
          expect(results.every((r) => r !== null)).toBe(true);
          expect(new Set(results.map((r) => r?.refreshToken)).size).toBe(1);
          expect(new Set(results.map((r) => r?.token)).size).toBe(1);
          expect((await direct.get(session.id))?.status).toBe('ACTIVE');
          expect((await direct.validate(results[0]?.token as string))?.id).toBe(session.id);
        }),
      raceTimeout,
    );

    it(
      'a tab racing the next rotation with the old token: never two live pairs, reuse revokes',
      () =>
        property(async (s) => {
          const { direct, racing, user: u } = await raceSetup(s);
          const { session, refreshToken } = await direct.create({ userId: u });
          const first = await direct.refresh(refreshToken as string);
          // One tab rotates on with the successor while another still holds the original.
          const calls = Promise.all([
            racing.refresh(first?.refreshToken as string),
            racing.refresh(refreshToken as string),
          ]);
          const [next, late] = await s.waitFor(calls);
          const stored = await direct.get(session.id);
          if (stored?.status === 'ACTIVE') {
            // The late tab came first: it got the successor, then the successor rotated.
            expect(next).not.toBeNull();
            expect(late?.refreshToken).toBe(first?.refreshToken);
          } else {
            // The successor rotated first: the original is an older generation, reuse.
            expect(stored).toMatchObject({ status: 'REVOKED', endReason: 'refresh_token_reuse' });
            expect(late).toBeNull();
            if (next) expect(await direct.validate(next.token)).toBeNull();
          }
        }),
      raceTimeout,
    );
  });
}
