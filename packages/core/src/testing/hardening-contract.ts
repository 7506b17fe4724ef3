import { beforeEach, expect, it, vi } from 'vitest';
import { legacyCookieFingerprint } from '../device.js';
import { InvalidInputError } from '../errors.js';
import type { SessionEventName, SessionEvents } from '../events.js';
import type { SessionManagerOptions } from '../options.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import type { SessionStore } from '../session-store.js';
import { legacyUserShard, userShard } from '../token.js';
import {
  CAPS,
  createTestClock,
  makeRecord,
  type StoreFactory,
  type TestClock,
  uniqueUser,
} from './fixtures.js';

// Cases from the second adversarial pass (issue 20), driven through the manager
// over each store: refresh reuse that cannot be outrun, metadata that is always
// a plain object once stored.
const SECRET = 'conformance-secret-0123456789abcdefghijklmnop';

export function hardeningContractTests(factory: StoreFactory): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;

  const manager = (options: Partial<SessionManagerOptions> = {}): SessionManager =>
    createSessionManager({
      store,
      now: () => clock.now(),
      refreshTokens: true,
      secret: SECRET,
      ...options,
    });

  const collect = <E extends SessionEventName>(m: SessionManager, event: E): SessionEvents[E][] => {
    const events: SessionEvents[E][] = [];
    m.on(event, (payload) => {
      events.push(payload);
    });
    return events;
  };

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser();
  });

  it('refresh reuse is detected however many rotations the thief made (25 > the retired window)', async () => {
    const m = manager();
    const reuse = collect(m, 'refreshReuse');
    const revoked = collect(m, 'revoked');
    const { session, refreshToken: stolen } = await m.create({ userId: user });
    let attacker = stolen as string;
    for (let i = 0; i < 25; i++) {
      clock.advance(1000);
      const next = await m.refresh(attacker);
      expect(next).not.toBeNull();
      attacker = next?.refreshToken as string;
    }
    // The victim comes back with the original token.
    expect(await m.refresh(stolen as string)).toBeNull();
    expect(await m.get(session.id)).toMatchObject({
      status: 'REVOKED',
      endReason: 'refresh_token_reuse',
    });
    expect(reuse.map((e) => e.session.id)).toEqual([session.id]);
    expect(revoked.map((e) => e.reason)).toEqual(['refresh_token_reuse']);
    // And the thief's chain is dead too.
    expect(await m.refresh(attacker)).toBeNull();
  });

  it('an "older generation" token forged from a session id revokes nothing', async () => {
    const m = manager();
    const reuse = collect(m, 'refreshReuse');
    const { session, refreshToken } = await m.create({ userId: user });
    const genuine = await m.refresh(refreshToken as string);
    const forgeries = [
      `${session.id}${'A'.repeat(43)}.0.${'B'.repeat(22)}`,
      // A genuine token's tag on another body.
      `${session.id}${'A'.repeat(43)}.0.${(refreshToken as string).slice(-22)}`,
      `${session.id}${'A'.repeat(43)}`,
    ];
    for (const forged of forgeries) expect(await m.refresh(forged)).toBeNull();
    expect(reuse).toEqual([]);
    expect((await m.get(session.id))?.status).toBe('ACTIVE');
    expect(await m.refresh(genuine?.refreshToken as string)).not.toBeNull();
  });

  it('only the secret that issued a generation can vouch for it beyond the retired window', async () => {
    const m = manager();
    const { session, refreshToken: first } = await m.create({ userId: user });
    let chain = first as string;
    for (let i = 0; i < 21; i++) chain = (await m.refresh(chain))?.refreshToken as string;
    const other = manager({ secret: `${SECRET}-other` });
    const reuse = collect(other, 'refreshReuse');
    // The current token still rotates under another secret (no tag is needed for it)…
    chain = (await other.refresh(chain))?.refreshToken as string;
    expect(chain).toBeTypeOf('string');
    // …but an old one it cannot authenticate is just unknown: nothing is revoked.
    expect(await other.refresh(first as string)).toBeNull();
    expect(reuse).toEqual([]);
    expect((await m.get(session.id))?.status).toBe('ACTIVE');
    expect(await m.refresh(first as string)).toBeNull();
    expect((await m.get(session.id))?.endReason).toBe('refresh_token_reuse');
  });

  it('a retired refresh token of an expired session is neither relabelled nor reported', async () => {
    const m = manager({ expiresIn: 60_000 });
    const reuse = collect(m, 'refreshReuse');
    const revoked = collect(m, 'revoked');
    const recent = await m.create({ userId: user });
    const old = await m.create({ userId: user });
    let chain = old.refreshToken as string;
    for (let i = 0; i < 25; i++) chain = (await m.refresh(chain))?.refreshToken as string;
    await m.refresh(recent.refreshToken as string);
    clock.advance(120_000);
    // Within the store's retired window, and beyond it.
    expect(await m.refresh(recent.refreshToken as string)).toBeNull();
    expect(await m.refresh(old.refreshToken as string)).toBeNull();
    expect(reuse).toEqual([]);
    expect(revoked).toEqual([]);
    for (const id of [recent.session.id, old.session.id]) {
      expect((await store.get(id))?.endReason).not.toBe('refresh_token_reuse');
      expect((await m.get(id))?.status).toBe('EXPIRED');
    }
  });

  it('a refresh token issued before generations (legacy) still rotates, and its reuse is caught', async () => {
    const m = manager();
    const reuse = collect(m, 'refreshReuse');
    const { record, refreshToken } = makeRecord(clock, { userId: user });
    await store.create(record, null, CAPS);
    const rotated = await m.refresh(refreshToken);
    expect(rotated?.session.id).toBe(record.id);
    expect(await m.refresh(rotated?.refreshToken as string)).not.toBeNull();
    expect(await m.refresh(refreshToken)).toBeNull();
    expect(reuse).toHaveLength(1);
    expect((await m.get(record.id))?.endReason).toBe('refresh_token_reuse');
  });

  it('metadata whose toJSON yields no plain object is refused before any store sees it', async () => {
    const m = manager();
    for (const toJSON of [() => null, () => 'a string', () => [1, 2], () => undefined, () => 7]) {
      await expect(
        m.create({ userId: user, metadata: { toJSON } as unknown as Record<string, unknown> }),
      ).rejects.toBeInstanceOf(InvalidInputError);
    }
    // Nested toJSON is fine as long as the stored JSON is an object.
    const when = new Date(0);
    const { session } = await m.create({ userId: user, metadata: { when, n: 1 } });
    expect(session.metadata).toEqual({ when: when.toISOString(), n: 1 });
    const stored = await store.get(session.id);
    expect(stored?.metadata).toEqual({ when: when.toISOString(), n: 1 });
    expect(await m.list(user)).toHaveLength(1);
  });

  const CHROME_MAC =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
  const SAFARI_IPHONE =
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
  const signIn = (m: SessionManager, cookie: string | null, ua = CHROME_MAC, ip = '198.51.100.4') =>
    m.create({
      userId: user,
      ipAddress: ip,
      headers: new Headers({ 'user-agent': ua, ...(cookie === null ? {} : { cookie }) }),
    });

  it('device ids rotate on each sign-in: the presented id is recognised once, then no more', async () => {
    const m = manager();
    const newDevice = collect(m, 'newDevice');
    const first = await signIn(m, null);
    expect(newDevice).toHaveLength(1);
    const firstSeen = (await m.listDevices(user))[0]?.firstSeenAt;
    clock.advance(60_000);
    const second = await signIn(m, `sessionkit.device-id=${first.deviceId}`);
    expect(newDevice).toHaveLength(1);
    expect(second.deviceId).not.toBe(first.deviceId);
    clock.advance(60_000);
    const third = await signIn(m, `sessionkit.device-id=${second.deviceId}`);
    expect(newDevice).toHaveLength(1);
    const devices = await m.listDevices(user);
    expect(devices).toHaveLength(1);
    expect(devices[0]?.firstSeenAt).toEqual(firstSeen);
    // Someone who learned (or planted) an earlier id is a new device now.
    await signIn(m, `sessionkit.device-id=${second.deviceId}`, CHROME_MAC, '203.0.113.66');
    expect(newDevice).toHaveLength(2);
    await signIn(m, `__Host-sessionkit.device-id=${third.deviceId}`);
    expect(newDevice).toHaveLength(2);
  });

  it("a device id in another browser or OS is another device and never overwrites the owner's entry", async () => {
    const m = manager();
    const newDevice = collect(m, 'newDevice');
    const owner = await signIn(m, null);
    await signIn(m, `sessionkit.device-id=${owner.deviceId}`, SAFARI_IPHONE, '203.0.113.66');
    expect(newDevice).toHaveLength(2);
    const devices = await m.listDevices(user);
    expect(devices.map((d) => d.lastIpAddress).sort()).toEqual(['198.51.100.4', '203.0.113.66']);
  });

  it('a device-id cookie sent twice is ignored entirely (a tossed cookie cannot win)', async () => {
    const m = manager();
    const newDevice = collect(m, 'newDevice');
    const owner = await signIn(m, null);
    const next = await signIn(m, `sessionkit.device-id=${owner.deviceId}`);
    expect(newDevice).toHaveLength(1);
    await signIn(
      m,
      `sessionkit.device-id=${next.deviceId}; sessionkit.device-id=${'A'.repeat(22)}`,
      SAFARI_IPHONE,
    );
    expect(newDevice).toHaveLength(2);
    await signIn(
      m,
      `__Host-sessionkit.device-id=${next.deviceId}; __Host-sessionkit.device-id=${next.deviceId}`,
      SAFARI_IPHONE,
    );
    // Ignored: the look-alike match of the iPhone sign-in just before.
    expect(newDevice).toHaveLength(2);
    expect((await m.listDevices(user)).length).toBe(2);
  });

  it('a device known under its pre-rotation fingerprint stays known across the upgrade', async () => {
    const m = manager();
    const newDevice = collect(m, 'newDevice');
    const oldCookie = 'LegacyDeviceId_0123456';
    const { record } = makeRecord(clock, {
      userId: user,
      deviceKey: legacyCookieFingerprint(user, oldCookie),
    });
    await store.create(record, null, CAPS);
    await signIn(m, `sessionkit.device-id=${oldCookie}`);
    expect(newDevice).toEqual([]);
    expect(await m.listDevices(user)).toHaveLength(1);
  });

  it('session ids do not name their owner: the shard is keyed with the server secret', async () => {
    const m = manager();
    const { session } = await m.create({ userId: user });
    expect(session.id.slice(0, 6)).toBe(userShard(user, SECRET));
    // The offline attack: hash every candidate user id and compare prefixes.
    const candidates = [user, ...Array.from({ length: 2000 }, (_, i) => `user-${i}`)];
    const matches = candidates.filter((c) => legacyUserShard(c) === session.id.slice(0, 6));
    expect(matches).not.toContain(user);
  });

  it('sessions and devices from before the secret are still listed, revoked and known', async () => {
    // Before the upgrade: no secret anywhere (legacy shard).
    for (const name of ['SESSIONKIT_SECRET', 'AUTH_SECRET', 'NEXTAUTH_SECRET'])
      vi.stubEnv(name, '');
    let old: SessionManager;
    try {
      old = manager({ secret: undefined });
    } finally {
      vi.unstubAllEnvs();
    }
    const before = [await signIn(old, null), await signIn(old, null)];
    expect(before[0]?.session.id.slice(0, 6)).toBe(legacyUserShard(user));
    // After: the manager has a secret; the store must still find the old data.
    const m = manager();
    const newDevice = collect(m, 'newDevice');
    expect((await m.list(user)).map((s) => s.id).sort()).toEqual(
      before.map((c) => c.session.id).sort(),
    );
    const after = await signIn(m, `sessionkit.device-id=${before[1]?.deviceId}`);
    expect(after.session.id.slice(0, 6)).toBe(userShard(user, SECRET));
    expect(newDevice).toEqual([]);
    expect(await m.list(user)).toHaveLength(3);
    expect(await m.validate(before[0]?.token as string)).not.toBeNull();
    const devices = await m.listDevices(user);
    expect(devices).toHaveLength(1);
    expect(await m.revokeAll(user, { except: after.session.id })).toBe(2);
    expect(await m.validate(before[0]?.token as string)).toBeNull();
    expect(await m.forgetDevice(user, devices[0]?.id as string)).toBe(true);
    expect(await m.listDevices(user)).toEqual([]);
  });
}
