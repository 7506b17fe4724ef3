import { createMemoryStore, createSessionManager, type Session } from '@sessionkit/core';
import { describe, expect, it } from 'vitest';
import { createEndReasonCookie, END_REASON_COOKIE } from './end-reason-cookie.js';
import { createPagesEndReasonHandler } from './end-reason-route.js';
import {
  createEndReasonWatchCookie,
  readEndReasonWatch,
  resolveSessionEndReason,
} from './end-reason-watch.js';
import { createFakeResponse } from './test-utils/next-auth-v4.js';

const SECRET = 'watch-test-secret-0123456789abcdef0123';
const T0 = Date.parse('2026-12-02T10:00:00Z');

function world() {
  let now = T0;
  const manager = createSessionManager({
    store: createMemoryStore(),
    now: () => now,
    logger: { warn() {}, error() {} },
  });
  return { manager, advance: (ms: number) => (now += ms), now: () => now };
}

function cookieHeader(session: Pick<Session, 'id' | 'expiresAt'>, secret = SECRET) {
  const cookie = createEndReasonWatchCookie(session, secret, { now: T0, secure: false });
  return { cookie: `${cookie.name}=${cookie.value}` };
}

describe('the end-reason watch', () => {
  it('names the session by a signed reference, never its token, for as long as it can end', async () => {
    const { manager } = world();
    const { session, token } = await manager.create({ userId: 'u1' });
    const cookie = createEndReasonWatchCookie(session, SECRET, { now: T0, secure: false });
    expect(cookie.name).toBe(END_REASON_COOKIE);
    expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });
    expect(cookie.value).not.toContain(token);
    expect(cookie.options.maxAge).toBe(
      Math.ceil((session.expiresAt.getTime() - T0) / 1000) + 10 * 60,
    );
    expect(readEndReasonWatch(cookie.value, SECRET, T0)).toBe(session.id);
  });

  it('answers the public reason once the session ended, and nothing while it lives', async () => {
    const { manager } = world();
    const { session } = await manager.create({ userId: 'u1' });
    const headers = cookieHeader(session);
    expect(await resolveSessionEndReason(headers, { manager, secret: SECRET, now: T0 })).toBeNull();
    await manager.revoke(session.id, { reason: 'mfa_changed' });
    expect(await resolveSessionEndReason(headers, { manager, secret: SECRET, now: T0 })).toEqual({
      code: 'mfa_changed',
      message: 'Your two-factor settings were changed, so you were signed out.',
    });
    // Without the manager, only a written reason is answered.
    expect(await resolveSessionEndReason(headers, { secret: SECRET, now: T0 })).toBeNull();
  });

  it('an expired session says so; an app’s own reason is the generic code; its own sign-out says nothing', async () => {
    const w = world();
    const { manager } = w;
    const old = await manager.create({ userId: 'u1' });
    const own = await manager.create({ userId: 'u1' });
    const other = await manager.create({ userId: 'u1' });
    await manager.logout(own.token);
    await manager.revoke(other.session.id, { reason: 'fraud-team: case 4411' });
    const after = old.session.expiresAt.getTime() + 1000;
    const read = (s: Session, now = T0) =>
      resolveSessionEndReason(cookieHeader(s), { manager, secret: SECRET, now });
    expect((await read(old.session, after))?.code).toBe('expired');
    expect(await read(own.session)).toBeNull();
    expect((await read(other.session))?.code).toBe('ended');
  });

  it('a forged, tampered, foreign-secret or lapsed watch, or a store that fails, reads as nothing', async () => {
    const { manager } = world();
    const a = await manager.create({ userId: 'u1' });
    const b = await manager.create({ userId: 'u2' });
    await manager.revoke(a.session.id);
    await manager.revoke(b.session.id);
    const value = createEndReasonWatchCookie(a.session, SECRET, { now: T0, secure: false }).value;
    const [, expires, mac] = value.split('.');
    const other = `w~${Buffer.from(b.session.id).toString('base64url')}`;
    const read = (v: string, options: { now?: number; secret?: string } = {}) =>
      resolveSessionEndReason(
        { cookie: `${END_REASON_COOKIE}=${v}` },
        { manager, secret: options.secret ?? SECRET, now: options.now ?? T0 },
      );
    expect((await read(value))?.code).toBe('signed_out_elsewhere');
    expect(await read(`${other}.${expires}.${mac}`)).toBeNull();
    expect(await read(value, { secret: 'y'.repeat(40) })).toBeNull();
    expect(await read(value, { now: a.session.expiresAt.getTime() + 11 * 60 * 1000 })).toBeNull();
    expect(await read('w~.1.x')).toBeNull();
    // A reason MAC does not pass for a watch, nor the reverse.
    const reason = createEndReasonCookie('revoked_by_user', SECRET, { now: T0, secure: false });
    expect(readEndReasonWatch(reason.value, SECRET, T0)).toBeNull();
    const failing = {
      get: async () => {
        throw new Error('store down');
      },
    };
    expect(
      await resolveSessionEndReason(
        { cookie: `${END_REASON_COOKIE}=${value}` },
        { manager: failing, secret: SECRET, now: T0 },
      ),
    ).toBeNull();
  });

  it('the Pages Router route, given the manager, answers the watched session’s reason and DELETE clears the cookie', async () => {
    const { manager } = world();
    const { session } = await manager.create({ userId: 'u1' });
    const route = createPagesEndReasonHandler({ manager, secret: SECRET });
    const call = async (method: string) => {
      const { res, result } = createFakeResponse();
      await route(
        {
          method,
          url: '/api/sessions/end-reason',
          headers: { host: 'localhost:3000', ...cookieHeader(session) },
          socket: {},
        } as never,
        res as never,
      );
      return result();
    };
    expect((await call('GET')).body).toEqual({ endReason: null });
    await manager.revoke(session.id);
    const got = await call('GET');
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      endReason: {
        code: 'signed_out_elsewhere',
        message: 'You were signed out from another device.',
      },
    });
    const cleared = await call('DELETE');
    expect(
      cleared.setCookies.some((c) => c.startsWith(`${END_REASON_COOKIE}=;`) && /Max-Age=0/.test(c)),
    ).toBe(true);
  });
});
