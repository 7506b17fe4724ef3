import { beforeEach, describe, expect, it } from 'vitest';
import { isLive, type Liveness, type SessionLimit, type SessionStore } from '../session-store.js';
import { createSessionId, hashToken } from '../token.js';
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

/** Direct tests of every SessionStore method and its atomicity claim. */
export function storeContractTests(factory: StoreFactory): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser();
  });

  const limit = (
    max: number,
    onExceed: SessionLimit['onExceed'],
    idle: number | null = null,
  ): SessionLimit => ({
    max,
    onExceed,
    liveness: liveness(clock, idle),
    eviction: transition(clock, 'REVOKED', 'session_limit'),
  });

  describe('create() and get()', () => {
    it('stores every field and get() reads it back unchanged, dates as Dates', async () => {
      const { record } = makeRecord(clock, { userId: user });
      const result = await store.create(record, null, CAPS);
      expect(result.outcome).toBe('created');
      const read = await store.get(record.id);
      expect(read).toEqual(record);
      expect(read?.createdAt).toBeInstanceOf(Date);
      expect(read?.endedAt).toBeNull();
    });

    it('round-trips risk and verification', async () => {
      const { record } = makeRecord(clock, {
        userId: user,
        risk: { reasons: ['new_country', 'impossible_travel'] },
        verification: { verifiedAt: new Date(clock.now()), method: 'totp' },
        location: {
          country: 'NZ',
          region: null,
          city: 'Auckland',
          latitude: -36.85,
          longitude: 174.76,
        },
      });
      await store.create(record, null, CAPS);
      expect(await store.get(record.id)).toEqual(record);
    });

    it('get() of an unknown id is null', async () => {
      expect(await store.get(createSessionId(user))).toBeNull();
    });

    it('returns copies: mutating a returned record never changes what is stored', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      const first = await store.get(record.id);
      if (!first) throw new Error('record missing');
      first.status = 'REVOKED';
      first.metadata.loginMethod = 'tampered';
      first.lastActivityAt.setTime(0);
      expect(await store.get(record.id)).toEqual(record);
    });

    it('keeps null location, null ip/user agent and empty metadata intact', async () => {
      const { record } = makeRecord(clock, {
        userId: user,
        location: null,
        ipAddress: null,
        userAgent: null,
        metadata: {},
        refreshTokenHash: null,
      });
      await store.create(record, null, CAPS);
      expect(await store.get(record.id)).toEqual(record);
    });

    it('reports knownDevice only for a device key this user already has', async () => {
      const first = await store.create(makeRecord(clock, { userId: user }).record, null, CAPS);
      const again = await store.create(makeRecord(clock, { userId: user }).record, null, CAPS);
      const other = await store.create(
        makeRecord(clock, { userId: user, deviceKey: 'mObIlEkEyIoSsAfArI00001' }).record,
        null,
        CAPS,
      );
      const otherUser = await store.create(
        makeRecord(clock, { userId: uniqueUser() }).record,
        null,
        CAPS,
      );
      expect(first.outcome === 'created' && first.knownDevice).toBe(false);
      expect(again.outcome === 'created' && again.knownDevice).toBe(true);
      expect(other.outcome === 'created' && other.knownDevice).toBe(false);
      expect(otherUser.outcome === 'created' && otherUser.knownDevice).toBe(false);
    });

    it('remembers a device after its session ended (history counts)', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.end(record.id, transition(clock), NO_GUARD);
      const again = await store.create(makeRecord(clock, { userId: user }).record, null, CAPS);
      expect(again.outcome === 'created' && again.knownDevice).toBe(true);
    });
  });

  describe('known devices', () => {
    it('create() upserts the device entry: firstSeenAt kept, lastSeenAt and last address updated', async () => {
      const first = makeRecord(clock, { userId: user }).record;
      await store.create(first, null, CAPS);
      clock.advance(60_000);
      const second = makeRecord(clock, {
        userId: user,
        ipAddress: '198.51.100.99',
        location: { country: 'FR', region: null, city: 'Paris' },
      }).record;
      await store.create(second, null, CAPS);
      const devices = await store.listDevices(user);
      expect(devices).toHaveLength(1);
      expect(devices[0]).toMatchObject({
        id: first.deviceKey,
        userId: user,
        firstSeenAt: first.createdAt,
        lastSeenAt: second.createdAt,
        lastIpAddress: '198.51.100.99',
        lastLocation: { country: 'FR', region: null, city: 'Paris' },
        deviceInfo: second.deviceInfo,
      });
      expect(devices[0]?.purgeAt.getTime()).toBeGreaterThanOrEqual(second.purgeAt.getTime());
      expect(await store.listDevices(uniqueUser())).toEqual([]);
    });

    it('forgetDevice() removes one entry so its next sign-in is a new device again', async () => {
      const { record } = makeRecord(clock, { userId: user });
      const other = makeRecord(clock, { userId: user, deviceKey: 'oThErDeViCeKeY00000001' }).record;
      await store.create(record, null, CAPS);
      await store.create(other, null, CAPS);
      expect(await store.forgetDevice(user, record.deviceKey)).toBe(true);
      expect(await store.forgetDevice(user, record.deviceKey)).toBe(false);
      expect((await store.listDevices(user)).map((d) => d.id)).toEqual([other.deviceKey]);
      const again = await store.create(makeRecord(clock, { userId: user }).record, null, CAPS);
      expect(again.outcome === 'created' && again.knownDevice).toBe(false);
    });

    it('a create refused by the limit remembers no device', async () => {
      const limit1: SessionLimit = {
        max: 1,
        onExceed: 'reject',
        liveness: liveness(clock),
        eviction: transition(clock, 'REVOKED', 'session_limit'),
      };
      await store.create(makeRecord(clock, { userId: user }).record, limit1, CAPS);
      const refused = makeRecord(clock, {
        userId: user,
        deviceKey: 'rEfUsEdDeViCe000000001',
      }).record;
      expect((await store.create(refused, limit1, CAPS)).outcome).toBe('limit_reached');
      expect((await store.listDevices(user)).map((d) => d.id)).not.toContain(refused.deviceKey);
    });
  });

  describe('markVerified()', () => {
    const verification = () => ({ verifiedAt: new Date(clock.now()), method: 'webauthn' });

    it('records the verification on a live session, for its owner only', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      clock.advance(1000);
      expect(
        await store.markVerified(record.id, {
          verification: verification(),
          liveness: liveness(clock),
          userId: 'intruder',
        }),
      ).toBeNull();
      const updated = await store.markVerified(record.id, {
        verification: verification(),
        liveness: liveness(clock),
        userId: user,
      });
      expect(updated?.verification).toEqual(verification());
      expect((await store.get(record.id))?.verification).toEqual(verification());
    });

    it('never marks an ended or expired session', async () => {
      const ended = makeRecord(clock, { userId: user }).record;
      const expiring = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 1000),
      }).record;
      await store.create(ended, null, CAPS);
      await store.create(expiring, null, CAPS);
      await store.end(ended.id, transition(clock), NO_GUARD);
      clock.advance(2000);
      for (const r of [ended, expiring]) {
        expect(
          await store.markVerified(r.id, {
            verification: verification(),
            liveness: liveness(clock),
            userId: null,
          }),
        ).toBeNull();
        expect((await store.get(r.id))?.verification).toBeNull();
      }
    });
  });

  describe('liveness: the boundary instants', () => {
    // The liveness rule is written three times (isLive in TypeScript, is_live in
    // the Redis Lua scripts, liveFilter in the Mongo store): this case pins every
    // store's own evaluation, and isLive, to the same answer at the exact instant
    // of absolute and of idle expiry and one millisecond before.
    const IDLE = 5 * 60_000;
    const instants = (anchorMs: number) => [
      { nowMs: anchorMs - 1, live: true },
      { nowMs: anchorMs, live: false },
    ];

    it('markVerified() and touch() see a session live exactly while isLive() does', async () => {
      const start = clock.now();
      const expiresAt = new Date(start + 10_000);
      const lastActivityAt = new Date(start + 1000);
      const checks: { kind: string; nowMs: number; live: boolean; idle: number | null }[] = [
        ...instants(expiresAt.getTime()).map((c) => ({ kind: 'absolute', ...c, idle: null })),
        ...instants(lastActivityAt.getTime() + IDLE).map((c) => ({
          kind: 'idle',
          ...c,
          idle: IDLE,
        })),
      ];
      for (const check of checks) {
        const shape =
          check.kind === 'absolute'
            ? { expiresAt, lastActivityAt }
            : { expiresAt: new Date(start + 3_600_000), lastActivityAt };
        const at: Liveness = { now: new Date(check.nowMs), idleTimeoutMs: check.idle };
        const label = `${check.kind} expiry, ${check.live ? '1 ms before' : 'at'} the instant`;
        expect(isLive({ status: 'ACTIVE', ...shape }, at), `isLive, ${label}`).toBe(check.live);

        const verified = makeRecord(clock, { userId: user, ...shape }).record;
        await store.create(verified, null, CAPS);
        const marked = await store.markVerified(verified.id, {
          verification: { verifiedAt: at.now, method: 'totp' },
          liveness: at,
          userId: null,
        });
        expect(marked !== null, `markVerified, ${label}`).toBe(check.live);

        const touched = makeRecord(clock, { userId: user, ...shape }).record;
        await store.create(touched, null, CAPS);
        const wrote = await store.touch(touched.id, {
          at: at.now,
          ifLastActivityAtOrBefore: at.now,
          liveness: at,
        });
        expect(wrote, `touch, ${label}`).toBe(check.live);
      }
    });
  });

  describe('listActive() and listEnded()', () => {
    it("returns exactly the user's records with the requested statuses", async () => {
      const a = makeRecord(clock, { userId: user }).record;
      const b = makeRecord(clock, { userId: user }).record;
      const foreign = makeRecord(clock, { userId: uniqueUser() }).record;
      for (const r of [a, b, foreign]) await store.create(r, null, CAPS);
      await store.end(b.id, transition(clock), NO_GUARD);

      const active = await listAllActive(store, user);
      expect(active.map((r) => r.id)).toEqual([a.id]);
      const revoked = await listAllEnded(store, user, ['REVOKED']);
      expect(revoked.map((r) => r.id)).toEqual([b.id]);
      expect(revoked[0]?.status).toBe('REVOKED');
      expect(await listAllEnded(store, user, ['LOGGED_OUT', 'EXPIRED'])).toEqual([]);
      expect(await listAllActive(store, uniqueUser())).toEqual([]);
    });

    it('lists 50 sessions with every field intact', async () => {
      const created = [];
      for (let i = 0; i < 50; i++) {
        const { record } = makeRecord(clock, { userId: user });
        await store.create(record, null, CAPS);
        created.push(record);
      }
      const listed = await listAllActive(store, user);
      const byId = new Map(listed.map((r) => [r.id, r]));
      expect(listed).toHaveLength(50);
      for (const record of created) expect(byId.get(record.id)).toEqual(record);
    });
  });

  describe('touch()', () => {
    it('writes lastActivityAt only when the stored value is at or before the threshold', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      clock.advance(30_000);
      const tooSoon = await store.touch(record.id, {
        at: new Date(clock.now()),
        ifLastActivityAtOrBefore: new Date(clock.now() - 60_000),
        liveness: liveness(clock),
      });
      expect(tooSoon).toBe(false);
      expect((await store.get(record.id))?.lastActivityAt).toEqual(record.lastActivityAt);

      clock.advance(31_000);
      const due = await store.touch(record.id, {
        at: new Date(clock.now()),
        ifLastActivityAtOrBefore: new Date(clock.now() - 60_000),
        liveness: liveness(clock),
      });
      expect(due).toBe(true);
      expect((await store.get(record.id))?.lastActivityAt).toEqual(new Date(clock.now()));
    });

    it('never moves activity backwards', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      const wrote = await store.touch(record.id, {
        at: new Date(record.lastActivityAt.getTime() - 1000),
        ifLastActivityAtOrBefore: new Date(record.lastActivityAt.getTime() + 1000),
        liveness: liveness(clock),
      });
      expect(wrote).toBe(false);
      expect((await store.get(record.id))?.lastActivityAt).toEqual(record.lastActivityAt);
    });

    it('of N concurrent due touches, exactly one writes', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      clock.advance(120_000);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          store.touch(record.id, {
            at: new Date(clock.now()),
            ifLastActivityAtOrBefore: new Date(clock.now() - 60_000),
            liveness: liveness(clock),
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('never touches an ended, expired or idle session, nor an unknown id', async () => {
      const ended = makeRecord(clock, { userId: user }).record;
      const expired = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 1000),
      }).record;
      const idle = makeRecord(clock, { userId: user }).record;
      for (const r of [ended, expired, idle]) await store.create(r, null, CAPS);
      await store.end(ended.id, transition(clock), NO_GUARD);
      clock.advance(120_000);
      const update = (idleMs: number | null) => ({
        at: new Date(clock.now()),
        ifLastActivityAtOrBefore: new Date(clock.now()),
        liveness: liveness(clock, idleMs),
      });
      expect(await store.touch(ended.id, update(null))).toBe(false);
      expect(await store.touch(expired.id, update(null))).toBe(false);
      expect(await store.touch(idle.id, update(60_000))).toBe(false);
      expect(await store.touch(createSessionId(user), update(null))).toBe(false);
      expect((await store.get(ended.id))?.status).toBe('REVOKED');
      expect((await store.get(idle.id))?.lastActivityAt).toEqual(idle.lastActivityAt);
    });
  });

  describe('end()', () => {
    it('ends an ACTIVE session once; a second end is a no-op', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      clock.advance(5000);
      const t = transition(clock, 'LOGGED_OUT', 'logged_out');
      const ended = await store.end(record.id, t, NO_GUARD);
      expect(ended).toMatchObject({
        id: record.id,
        status: 'LOGGED_OUT',
        endReason: 'logged_out',
        endedAt: t.endedAt,
        purgeAt: t.purgeAt,
      });
      expect(await store.end(record.id, transition(clock, 'REVOKED'), NO_GUARD)).toBeNull();
      expect(await store.get(record.id)).toMatchObject({
        status: 'LOGGED_OUT',
        endReason: 'logged_out',
      });
    });

    it('honours the owner guard and the token-hash guard', async () => {
      const { record, token } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      expect(
        await store.end(record.id, transition(clock), { userId: 'someone-else', tokenHash: null }),
      ).toBeNull();
      expect(
        await store.end(record.id, transition(clock), {
          userId: null,
          tokenHash: hashToken(`${token}x`),
        }),
      ).toBeNull();
      expect((await store.get(record.id))?.status).toBe('ACTIVE');
      const ended = await store.end(record.id, transition(clock), {
        userId: user,
        tokenHash: hashToken(token),
      });
      expect(ended?.status).toBe('REVOKED');
    });

    it('of concurrent end() calls exactly one wins', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      const results = await Promise.all([
        store.end(record.id, transition(clock, 'REVOKED', 'a'), NO_GUARD),
        store.end(record.id, transition(clock, 'LOGGED_OUT', 'b'), NO_GUARD),
        store.end(record.id, transition(clock, 'EXPIRED', 'c'), NO_GUARD),
      ]);
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect((await store.get(record.id))?.status).toBe(winners[0]?.status);
    });

    it('a touch racing a revoke never reactivates the session', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      clock.advance(120_000);
      await Promise.all([
        store.touch(record.id, {
          at: new Date(clock.now()),
          ifLastActivityAtOrBefore: new Date(clock.now()),
          liveness: liveness(clock),
        }),
        store.end(record.id, transition(clock), NO_GUARD),
        store.touch(record.id, {
          at: new Date(clock.now()),
          ifLastActivityAtOrBefore: new Date(clock.now()),
          liveness: liveness(clock),
        }),
      ]);
      expect((await store.get(record.id))?.status).toBe('REVOKED');
    });
  });

  describe('endAllForUser() batches', () => {
    it("ends every live session of the user except one, and no one else's", async () => {
      const keep = makeRecord(clock, { userId: user }).record;
      const a = makeRecord(clock, { userId: user }).record;
      const b = makeRecord(clock, { userId: user }).record;
      const already = makeRecord(clock, { userId: user }).record;
      const foreign = makeRecord(clock, { userId: uniqueUser() }).record;
      for (const r of [keep, a, b, already, foreign]) await store.create(r, null, CAPS);
      await store.end(already.id, transition(clock, 'LOGGED_OUT', 'logged_out'), NO_GUARD);

      const t = transition(clock, 'REVOKED', 'revoked_by_user');
      const ended = await endAll(store, user, t, {
        exceptSessionId: keep.id,
        liveness: liveness(clock),
        limit: 2,
      });
      expect(ended.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
      expect(ended.every((r) => r.status === 'REVOKED' && r.endReason === 'revoked_by_user')).toBe(
        true,
      );
      expect((await store.get(keep.id))?.status).toBe('ACTIVE');
      expect((await store.get(already.id))?.status).toBe('LOGGED_OUT');
      expect((await store.get(foreign.id))?.status).toBe('ACTIVE');
      expect((await store.get(a.id))?.status).toBe('REVOKED');
    });

    it('ends every session created before it began, even with creates racing it', async () => {
      const before = [];
      for (let i = 0; i < 5; i++) {
        const { record } = makeRecord(clock, { userId: user });
        await store.create(record, null, CAPS);
        before.push(record);
      }
      const racing = Array.from({ length: 5 }, () => makeRecord(clock, { userId: user }).record);
      await Promise.all([
        endAll(store, user, transition(clock), {
          liveness: liveness(clock),
          limit: 2,
          createdAtOrBefore: before.at(-1)?.createdAt,
        }),
        ...racing.map((r) => store.create(r, null, CAPS)),
      ]);
      for (const record of before) expect((await store.get(record.id))?.status).toBe('REVOKED');
      // Created after the call began (later createdAt): never touched.
      for (const record of racing) expect((await store.get(record.id))?.status).toBe('ACTIVE');
    });

    it('leaves expired sessions for lazy expiry instead of counting them as revoked', async () => {
      const expired = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 1000),
      }).record;
      const live = makeRecord(clock, { userId: user }).record;
      await store.create(expired, null, CAPS);
      await store.create(live, null, CAPS);
      clock.advance(2000);
      const ended = await endAll(store, user, transition(clock), { liveness: liveness(clock) });
      expect(ended.map((r) => r.id)).toEqual([live.id]);
    });
  });

  describe('create() with a session limit', () => {
    it("'reject' stores nothing once the user holds max live sessions", async () => {
      for (let i = 0; i < 2; i++)
        await store.create(makeRecord(clock, { userId: user }).record, limit(2, 'reject'), CAPS);
      const extra = makeRecord(clock, { userId: user }).record;
      const result = await store.create(extra, limit(2, 'reject'), CAPS);
      expect(result).toEqual({ outcome: 'limit_reached', activeCount: 2 });
      expect(await store.get(extra.id)).toBeNull();
    });

    it("'revoke-oldest' ends the earliest-created live sessions to make room", async () => {
      const first = makeRecord(clock, { userId: user }).record;
      clock.advance(1000);
      const second = makeRecord(clock, { userId: user }).record;
      clock.advance(1000);
      const third = makeRecord(clock, { userId: user }).record;
      await store.create(first, null, CAPS);
      await store.create(second, null, CAPS);
      const result = await store.create(third, limit(2, 'revoke-oldest'), CAPS);
      if (result.outcome !== 'created') throw new Error('expected created');
      expect(result.evicted.map((r) => r.id)).toEqual([first.id]);
      expect(result.evicted[0]).toMatchObject({ status: 'REVOKED', endReason: 'session_limit' });
      expect((await store.get(first.id))?.status).toBe('REVOKED');
      expect((await store.get(second.id))?.status).toBe('ACTIVE');
      expect((await store.get(third.id))?.status).toBe('ACTIVE');
    });

    it('does not count expired, idle or ended sessions toward the limit', async () => {
      const expired = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 1000),
      }).record;
      const idle = makeRecord(clock, { userId: user }).record;
      const ended = makeRecord(clock, { userId: user }).record;
      for (const r of [expired, idle, ended]) await store.create(r, null, CAPS);
      await store.end(ended.id, transition(clock), NO_GUARD);
      clock.advance(120_000);
      const result = await store.create(
        makeRecord(clock, { userId: user }).record,
        limit(1, 'reject', 60_000),
        CAPS,
      );
      expect(result.outcome).toBe('created');
    });

    it.each(['reject', 'revoke-oldest'] as const)(
      "concurrent creates never leave more than max live sessions ('%s')",
      async (policy) => {
        const results = await Promise.all(
          Array.from({ length: 12 }, () =>
            store.create(makeRecord(clock, { userId: user }).record, limit(3, policy), CAPS),
          ),
        );
        const live = await listAllActive(store, user);
        expect(live).toHaveLength(3);
        if (policy === 'reject') {
          expect(results.filter((r) => r.outcome === 'created')).toHaveLength(3);
        } else {
          expect(results.every((r) => r.outcome === 'created')).toBe(true);
        }
      },
    );
  });

  describe('rotateRefreshToken()', () => {
    const rotation = (presented: string, idle: number | null = null) => ({
      presentedHash: hashToken(presented),
      tokenHash: hashToken(`${presented}-next-token`),
      refreshTokenHash: hashToken(`${presented}-next-refresh`),
      at: new Date(clock.now()),
      liveness: liveness(clock, idle),
      maxRetiredHashes: 3,
      onReuse: transition(clock, 'REVOKED', 'refresh_token_reuse'),
      reuseGraceSince: null,
    });

    it('swaps the pair when the presented hash is current (compare-and-set)', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      clock.advance(5000);
      const result = await store.rotateRefreshToken(record.id, rotation(refreshToken));
      expect(result.outcome).toBe('rotated');
      const stored = await store.get(record.id);
      expect(stored?.refreshTokenHash).toBe(hashToken(`${refreshToken}-next-refresh`));
      expect(stored?.tokenHash).toBe(hashToken(`${refreshToken}-next-token`));
      expect(stored?.retiredRefreshTokenHashes).toEqual([hashToken(refreshToken)]);
      expect(stored?.lastActivityAt).toEqual(new Date(clock.now()));
    });

    it('presenting a retired hash ends the session once, then reports reuse without writing', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      await store.rotateRefreshToken(record.id, rotation(refreshToken));
      const reuse = await store.rotateRefreshToken(record.id, rotation(refreshToken));
      expect(reuse).toMatchObject({ outcome: 'reused', revoked: true });
      expect(await store.get(record.id)).toMatchObject({
        status: 'REVOKED',
        endReason: 'refresh_token_reuse',
      });
      const again = await store.rotateRefreshToken(record.id, rotation(refreshToken));
      expect(again).toMatchObject({ outcome: 'reused', revoked: false });
    });

    it('a retired hash of a session that already expired is reuse without a write (issue 20)', async () => {
      const { record, refreshToken } = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 10_000),
      });
      await store.create(record, null, CAPS);
      await store.rotateRefreshToken(record.id, rotation(refreshToken));
      clock.advance(20_000);
      const reuse = await store.rotateRefreshToken(record.id, rotation(refreshToken));
      expect(reuse).toMatchObject({ outcome: 'reused', revoked: false });
      // Still stored as the (expired) ACTIVE record: never relabelled REVOKED/refresh_token_reuse.
      expect(await store.get(record.id)).toMatchObject({ status: 'ACTIVE', endReason: null });
    });

    it('of two concurrent rotations with one token exactly one rotates, the other is reuse', async () => {
      const { record, refreshToken } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      const results = await Promise.all([
        store.rotateRefreshToken(record.id, rotation(refreshToken)),
        store.rotateRefreshToken(record.id, rotation(refreshToken)),
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['reused', 'rotated']);
      expect((await store.get(record.id))?.status).toBe('REVOKED');
    });

    it('reports inactive for an ended or expired session and unknown hashes as not_found', async () => {
      const ended = makeRecord(clock, { userId: user });
      const expiring = makeRecord(clock, { userId: user, expiresAt: new Date(clock.now() + 1000) });
      await store.create(ended.record, null, CAPS);
      await store.create(expiring.record, null, CAPS);
      await store.end(ended.record.id, transition(clock), NO_GUARD);
      clock.advance(2000);
      expect(
        (await store.rotateRefreshToken(ended.record.id, rotation(ended.refreshToken))).outcome,
      ).toBe('inactive');
      expect(
        (await store.rotateRefreshToken(expiring.record.id, rotation(expiring.refreshToken)))
          .outcome,
      ).toBe('inactive');
      expect((await store.get(expiring.record.id))?.refreshTokenHash).toBe(
        expiring.record.refreshTokenHash,
      );
      expect((await store.rotateRefreshToken(ended.record.id, rotation(ended.token))).outcome).toBe(
        'not_found',
      );
      expect(
        (await store.rotateRefreshToken(createSessionId(user), rotation(ended.refreshToken)))
          .outcome,
      ).toBe('not_found');
    });

    it('keeps at most maxRetiredHashes retired hashes, newest last', async () => {
      const made = makeRecord(clock, { userId: user });
      const { record } = made;
      let refreshToken = made.refreshToken;
      await store.create(record, null, CAPS);
      const presented: string[] = [];
      for (let i = 0; i < 5; i++) {
        presented.push(refreshToken);
        await store.rotateRefreshToken(record.id, rotation(refreshToken));
        refreshToken = `${refreshToken}-next-refresh`;
      }
      const stored = await store.get(record.id);
      expect(stored?.retiredRefreshTokenHashes).toEqual(
        presented.slice(-3).map((t) => hashToken(t)),
      );
    });
  });

  describe('cleanup()', () => {
    it('never reports a live session as expired, and whatever it expired is EXPIRED', async () => {
      const live = makeRecord(clock, { userId: user }).record;
      const expiring = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 1000),
      }).record;
      await store.create(live, null, CAPS);
      await store.create(expiring, null, CAPS);
      clock.advance(2000);
      const result = await store.cleanup({ liveness: liveness(clock), historyRetentionMs: 1000 });
      expect(result.expired.every((r) => r.status === 'EXPIRED' && r.id === expiring.id)).toBe(
        true,
      );
      expect((await store.get(live.id))?.status).toBe('ACTIVE');
      for (const r of result.expired) {
        expect(r.endedAt).toEqual(expiring.expiresAt);
        expect(r.endReason).toBe('expired');
      }
    });
  });
}
