import { beforeEach, expect, it } from 'vitest';
import type { SessionEventName, SessionEvents } from '../events.js';
import type { SessionManagerOptions } from '../options.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import type { SessionStore } from '../session-store.js';
import { hashToken } from '../token.js';
import { createTestClock, type StoreFactory, type TestClock, uniqueUser } from './fixtures.js';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

interface StoreCall {
  method: string;
  args: string;
  result: string;
}

/** Wraps a store so every call, its arguments and its result can be inspected. */
function recordingStore(inner: SessionStore, calls: StoreCall[]): SessionStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      // Configuration from the manager's constructor, not a store call.
      if (prop === 'bindUserShard') return value.bind(target);
      return async (...args: unknown[]) => {
        const result = await value.apply(target, args);
        calls.push({
          method: String(prop),
          args: JSON.stringify(args),
          result: JSON.stringify(result ?? null),
        });
        return result;
      };
    },
  });
}

/** The manager driven over the store: lifecycle behaviour every store must support. */
export function managerContractTests(factory: StoreFactory): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;
  let calls: StoreCall[];
  const traffic = () => calls.flatMap((c) => [c.args, c.result]);

  const manager = (options: Partial<SessionManagerOptions> = {}): SessionManager =>
    createSessionManager({ store, now: () => clock.now(), touchInterval: 60_000, ...options });

  const collect = <E extends SessionEventName>(m: SessionManager, event: E): SessionEvents[E][] => {
    const events: SessionEvents[E][] = [];
    m.on(event, (payload) => {
      events.push(payload);
    });
    return events;
  };

  beforeEach(async () => {
    clock = createTestClock();
    calls = [];
    store = recordingStore(await factory({ now: () => clock.now() }), calls);
    user = uniqueUser();
  });

  it('create() → validate() → revoke() → validate() is null, and the state is read back from the store', async () => {
    const m = manager();
    const { session, token } = await m.create({
      userId: user,
      headers: new Headers({ 'user-agent': CHROME_MAC, 'x-forwarded-for': '198.51.100.4' }),
      ipAddress: '198.51.100.4',
    });
    expect(session).toMatchObject({
      userId: user,
      status: 'ACTIVE',
      ipAddress: '198.51.100.4',
      endedAt: null,
    });
    expect(session.deviceInfo).toMatchObject({ type: 'desktop', browser: 'Chrome', os: 'Mac OS' });
    expect((await m.validate(token))?.id).toBe(session.id);
    expect(await m.revoke(session.id)).toBe(true);
    expect(await m.validate(token)).toBeNull();
    expect(await store.get(session.id)).toMatchObject({
      status: 'REVOKED',
      endReason: 'revoked_by_user',
    });
    expect(await m.touch(token)).toBe(false);
  });

  it('never hands the raw token or refresh token to the store; only their SHA-256 hashes', async () => {
    const m = manager({ refreshTokens: true });
    const { session, token, refreshToken } = await m.create({ userId: user });
    if (!refreshToken) throw new Error('refresh token missing');
    await m.validate(token);
    const refreshed = await m.refresh(refreshToken);
    await m.logout(refreshed?.token ?? token);
    const all = traffic().join('\n');
    for (const secret of [token, refreshToken, refreshed?.token, refreshed?.refreshToken]) {
      expect(secret).toBeTypeOf('string');
      expect(all.includes(secret as string)).toBe(false);
    }
    const stored = await store.get(session.id);
    expect(stored?.tokenHash).toBe(hashToken(refreshed?.token ?? ''));
  });

  it('returns sessions without any token or hash field', async () => {
    const m = manager({ refreshTokens: true });
    const { session, token } = await m.create({ userId: user });
    const listed = await m.list(user);
    for (const s of [session, await m.validate(token), await m.get(session.id), ...listed]) {
      const json = JSON.stringify(s);
      expect(json).not.toMatch(/tokenHash|refreshToken|purgeAt|deviceKey/);
      expect(json.includes(token)).toBe(false);
    }
  });

  it("revoke() with userId only revokes the owner's session", async () => {
    const m = manager();
    const { session, token } = await m.create({ userId: user });
    expect(await m.revoke(session.id, { userId: 'intruder' })).toBe(false);
    expect(await m.validate(token)).not.toBeNull();
    expect(await m.revoke(session.id, { userId: user, reason: 'admin_action' })).toBe(true);
    expect((await m.get(session.id))?.endReason).toBe('admin_action');
  });

  it('revoke() never lets a concurrent touch() reactivate a session', async () => {
    const m = manager({ touchInterval: 0 });
    const { session, token } = await m.create({ userId: user });
    clock.advance(10_000);
    await Promise.all([m.touch(token), m.revoke(session.id), m.touch(token), m.validate(token)]);
    expect((await m.get(session.id))?.status).toBe('REVOKED');
    expect(await m.validate(token)).toBeNull();
  });

  it('logout() marks LOGGED_OUT only for the right token', async () => {
    const m = manager();
    const events = collect(m, 'loggedOut');
    const { session, token } = await m.create({ userId: user });
    const forged = token.slice(0, 28) + 'A'.repeat(43);
    expect(await m.logout(forged)).toBe(false);
    expect(await m.logout(token)).toBe(true);
    expect(await m.logout(token)).toBe(false);
    expect((await m.get(session.id))?.status).toBe('LOGGED_OUT');
    expect(events.map((e) => e.session.id)).toEqual([session.id]);
  });

  it('expires sessions at their absolute lifetime and marks them lazily', async () => {
    const m = manager({ expiresIn: 60 * 60_000 });
    const events = collect(m, 'expired');
    const { session, token } = await m.create({ userId: user });
    clock.advance(60 * 60_000 - 1);
    expect(await m.validate(token)).not.toBeNull();
    clock.advance(1);
    expect(await m.validate(token)).toBeNull();
    const stored = await m.get(session.id);
    expect(stored).toMatchObject({
      status: 'EXPIRED',
      endReason: 'expired',
      endedAt: session.expiresAt,
    });
    expect(events).toHaveLength(1);
    expect(await m.list(user)).toEqual([]);
    expect((await m.list(user, { status: 'EXPIRED' })).map((s) => s.id)).toEqual([session.id]);
  });

  it('expires idle sessions, and activity within the idle timeout keeps them alive', async () => {
    const m = manager({ idleTimeout: 10 * 60_000, touchInterval: 60_000 });
    const { token } = await m.create({ userId: user });
    for (let i = 0; i < 5; i++) {
      clock.advance(9 * 60_000);
      expect(await m.validate(token)).not.toBeNull();
    }
    clock.advance(10 * 60_000);
    expect(await m.validate(token)).toBeNull();
    expect((await m.history(user))[0]).toMatchObject({
      status: 'EXPIRED',
      endReason: 'idle_timeout',
    });
  });

  it('writes activity at most once per touchInterval', async () => {
    const m = manager({ touchInterval: 60_000 });
    const { session, token } = await m.create({ userId: user });
    clock.advance(30_000);
    await m.validate(token);
    expect((await store.get(session.id))?.lastActivityAt).toEqual(session.lastActivityAt);
    clock.advance(31_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => m.validate(token)));
    expect(results.every((s) => s?.id === session.id)).toBe(true);
    expect((await store.get(session.id))?.lastActivityAt).toEqual(new Date(clock.now()));
    const touchWrites = calls.filter((c) => c.method === 'touch' && c.result === 'true');
    expect(touchWrites).toHaveLength(1);
  });

  it('list() returns ACTIVE sessions, most recent activity first', async () => {
    const m = manager({ touchInterval: 0 });
    const a = await m.create({ userId: user });
    clock.advance(1000);
    const b = await m.create({ userId: user });
    clock.advance(1000);
    const c = await m.create({ userId: user });
    clock.advance(1000);
    await m.validate(a.token);
    await m.revoke(c.session.id);
    expect((await m.list(user)).map((s) => s.id)).toEqual([a.session.id, b.session.id]);
    expect((await m.list(user, { status: 'REVOKED' })).map((s) => s.id)).toEqual([c.session.id]);
  });

  it('history() lists ended sessions, most recently ended first, up to limit', async () => {
    const m = manager();
    const a = await m.create({ userId: user });
    const b = await m.create({ userId: user });
    const c = await m.create({ userId: user });
    clock.advance(1000);
    await m.revoke(a.session.id);
    clock.advance(1000);
    await m.logout(b.token);
    const history = await m.history(user);
    expect(history.map((s) => [s.id, s.status])).toEqual([
      [b.session.id, 'LOGGED_OUT'],
      [a.session.id, 'REVOKED'],
    ]);
    expect(await m.history(user, { limit: 1 })).toHaveLength(1);
    expect((await m.list(user)).map((s) => s.id)).toEqual([c.session.id]);
  });

  it('revokeAll() ends every other session and reports how many', async () => {
    const m = manager();
    const events = collect(m, 'revoked');
    const keep = await m.create({ userId: user });
    const others = [await m.create({ userId: user }), await m.create({ userId: user })];
    const foreign = await m.create({ userId: uniqueUser() });
    expect(await m.revokeAll(user, { except: keep.session.id })).toBe(2);
    expect(await m.validate(keep.token)).not.toBeNull();
    for (const o of others) expect(await m.validate(o.token)).toBeNull();
    expect(await m.validate(foreign.token)).not.toBeNull();
    expect(events).toHaveLength(2);
    expect(await m.revokeAll(user)).toBe(1);
  });

  it("maxSessionsPerUser 'revoke-oldest' ends the oldest with endReason session_limit", async () => {
    const m = manager({ maxSessionsPerUser: 2 });
    const limitEvents = collect(m, 'limitExceeded');
    const first = await m.create({ userId: user });
    clock.advance(1000);
    await m.create({ userId: user });
    clock.advance(1000);
    await m.create({ userId: user });
    expect(await m.validate(first.token)).toBeNull();
    expect(await m.get(first.session.id)).toMatchObject({
      status: 'REVOKED',
      endReason: 'session_limit',
    });
    expect(await m.list(user)).toHaveLength(2);
    expect(limitEvents[0]).toMatchObject({ userId: user, limit: 2, policy: 'revoke-oldest' });
  });

  it("maxSessionsPerUser 'reject' throws SessionLimitError and holds under concurrent logins", async () => {
    const m = manager({ maxSessionsPerUser: 3, onSessionLimit: 'reject' });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => m.create({ userId: user })),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(rejected).toHaveLength(7);
    for (const r of rejected)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'SESSION_LIMIT' });
    expect(await m.list(user)).toHaveLength(3);
  });

  it('refresh() rotates the pair; reusing a rotated-out refresh token revokes the session', async () => {
    // Strict: within the default grace window the replay would get the same pair (contract-refresh-grace.ts).
    const m = manager({ refreshTokens: true, refreshReuseGrace: 0 });
    const reuse = collect(m, 'refreshReuse');
    const { session, token, refreshToken } = await m.create({ userId: user });
    if (!refreshToken) throw new Error('refresh token missing');
    const next = await m.refresh(refreshToken);
    if (!next) throw new Error('refresh failed');
    expect(next.session.id).toBe(session.id);
    expect(await m.validate(token)).toBeNull();
    expect((await m.validate(next.token))?.id).toBe(session.id);
    expect(await m.refresh(refreshToken)).toBeNull();
    expect(await m.validate(next.token)).toBeNull();
    expect(await m.refresh(next.refreshToken)).toBeNull();
    expect(await m.get(session.id)).toMatchObject({
      status: 'REVOKED',
      endReason: 'refresh_token_reuse',
    });
    expect(reuse).toHaveLength(1);
  });

  it('emits created and newDevice, newDevice only for a device not seen before', async () => {
    const m = manager();
    const created = collect(m, 'created');
    const newDevice = collect(m, 'newDevice');
    await m.create({ userId: user, userAgent: CHROME_MAC });
    await m.create({ userId: user, userAgent: CHROME_MAC });
    await m.create({ userId: user, userAgent: SAFARI_IPHONE });
    expect(created).toHaveLength(3);
    expect(newDevice.map((e) => e.session.deviceInfo.type)).toEqual(['desktop', 'mobile']);
  });

  it('validate() returns null for malformed tokens without touching the store', async () => {
    const m = manager();
    const before = calls.length;
    for (const bad of ['', 'short', 'x'.repeat(71), '$'.repeat(71), null, 42, { $ne: null }]) {
      expect(await m.validate(bad as string)).toBeNull();
    }
    expect(calls.filter((c) => c.args.includes('$')).length).toBe(0);
    expect(calls.length - before).toBeLessThanOrEqual(1); // only the well-shaped 'x'*71 reaches get()
  });

  it('remembers devices beyond their sessions; forgetDevice() makes the next sign-in new again', async () => {
    const m = manager({ expiresIn: 60_000 });
    const newDevice = collect(m, 'newDevice');
    const first = await m.create({ userId: user, userAgent: CHROME_MAC });
    clock.advance(120_000);
    expect(await m.validate(first.token)).toBeNull();
    await m.create({ userId: user, userAgent: CHROME_MAC });
    expect(newDevice).toHaveLength(1);
    const devices = await m.listDevices(user);
    expect(devices).toHaveLength(1);
    expect(devices[0]?.deviceInfo).toMatchObject({ browser: 'Chrome', type: 'desktop' });
    expect(await m.forgetDevice(user, devices[0]?.id as string)).toBe(true);
    expect(await m.listDevices(user)).toEqual([]);
    await m.create({ userId: user, userAgent: CHROME_MAC });
    expect(newDevice).toHaveLength(2);
  });

  it('markVerified() persists the step-up verification on the live session only', async () => {
    const m = manager();
    const { session, token } = await m.create({ userId: user });
    clock.advance(1000);
    const marked = await m.markVerified(session.id, { method: 'totp', userId: user });
    expect(marked?.verification).toEqual({ verifiedAt: new Date(clock.now()), method: 'totp' });
    expect((await m.validate(token))?.verification?.method).toBe('totp');
    await m.revoke(session.id);
    expect(await m.markVerified(session.id, { method: 'totp' })).toBeNull();
  });
}
