import { MINUTE } from '@sessionkit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPagesSessionHandler, createSessionRouteHandlers } from './route-handlers.js';
import { createFakeResponse } from './test-utils/next-auth-v4.js';
import { APP, type RouteWorld, read, request, routeWorld } from './test-utils/route-world.js';

const PATH = '/api/sessions';
const req = (method: string, query = '', headers: Record<string, string> = {}) =>
  request(PATH, method, query, headers);

describe('requireRecentVerification (step-up guard)', () => {
  let w: RouteWorld;
  let h: ReturnType<typeof createSessionRouteHandlers>;
  beforeEach(async () => {
    w = await routeWorld();
    h = createSessionRouteHandlers({
      manager: w.manager,
      getSession: w.getSession,
      now: w.now,
      requireRecentVerification: { revokeAll: 5 * MINUTE, revoke: 10 * MINUTE },
    });
  });

  it('revokeAll without any verification answers 403 VERIFICATION_REQUIRED and revokes nothing', async () => {
    const res = await read(await h.DELETE(req('DELETE', '?revokeAll=true', { origin: APP })));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { code: 'VERIFICATION_REQUIRED', message: expect.stringContaining('5 minutes') },
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await w.manager.list('alice')).length).toBe(3);
  });

  it('revokeAll works once the current session was verified within the window', async () => {
    await w.manager.markVerified(w.alice[0]!.id, { method: 'totp' });
    w.advance(5 * MINUTE);
    const res = await read(await h.DELETE(req('DELETE', '?revokeAll=true')));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revoked: 2 });
    expect((await w.manager.list('alice')).map((s) => s.id)).toEqual([w.alice[0]!.id]);
  });

  it('a verification older than the window no longer counts', async () => {
    await w.manager.markVerified(w.alice[0]!.id, { method: 'totp' });
    w.advance(5 * MINUTE + 1);
    const res = await read(await h.DELETE(req('DELETE', '?revokeAll=true')));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'VERIFICATION_REQUIRED' } });
    expect((await w.manager.list('alice')).length).toBe(3);
  });

  it('only the caller’s own session’s verification counts, not another device’s', async () => {
    await w.manager.markVerified(w.alice[1]!.id, { method: 'totp' });
    expect((await h.DELETE(req('DELETE', '?revokeAll=true'))).status).toBe(403);
    expect((await w.manager.list('alice')).length).toBe(3);
  });

  it('revoking one other session follows its own window; signing out the current one never needs it', async () => {
    const other = await read(await h.DELETE(req('DELETE', `?sessionId=${w.alice[1]!.id}`)));
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: { code: 'VERIFICATION_REQUIRED' } });
    expect((await w.manager.get(w.alice[1]!.id))?.status).toBe('ACTIVE');

    await w.manager.markVerified(w.alice[0]!.id, { method: 'webauthn' });
    w.advance(8 * MINUTE); // past revokeAll's 5 minutes, within revoke's 10
    expect((await h.DELETE(req('DELETE', '?revokeAll=true'))).status).toBe(403);
    expect(
      (await read(await h.DELETE(req('DELETE', `?sessionId=${w.alice[1]!.id}`)))).body,
    ).toEqual({ revoked: 1 });

    w.advance(10 * MINUTE);
    const own = await read(await h.DELETE(req('DELETE', `?sessionId=${w.alice[0]!.id}`)));
    expect(own.body).toEqual({ revoked: 1 });
  });

  it('GET and PATCH are never guarded', async () => {
    expect((await h.GET(req('GET'))).status).toBe(200);
    expect((await h.PATCH(req('PATCH'))).status).toBe(200);
  });

  it('the cross-site check, 400 and 401 come before the verification check', async () => {
    const cross = await read(
      await h.DELETE(req('DELETE', '?revokeAll=true', { origin: 'https://evil.example' })),
    );
    expect(cross.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await read(await h.DELETE(req('DELETE', '?revokeAll=1')))).status).toBe(400);
    w.caller.current = null;
    expect((await h.DELETE(req('DELETE', '?revokeAll=true'))).status).toBe(401);
  });

  it('without the option, revokeAll needs no verification', async () => {
    const plain = createSessionRouteHandlers({ manager: w.manager, getSession: w.getSession });
    expect((await read(await plain.DELETE(req('DELETE', '?revokeAll=true')))).body).toEqual({
      revoked: 2,
    });
  });

  it('guarding revokeAll alone guards revoking other sessions one by one too; the current one stays a plain sign-out', async () => {
    const guarded = createSessionRouteHandlers({
      manager: w.manager,
      getSession: w.getSession,
      now: w.now,
      requireRecentVerification: { revokeAll: 5 * MINUTE },
    });
    // the bypass: no verification, so revokeAll is 403 — and so is each other session
    expect((await guarded.DELETE(req('DELETE', '?revokeAll=true'))).status).toBe(403);
    for (const other of [w.alice[1]!, w.alice[2]!]) {
      const res = await read(await guarded.DELETE(req('DELETE', `?sessionId=${other.id}`)));
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'VERIFICATION_REQUIRED' } });
    }
    expect((await w.manager.list('alice')).length).toBe(3);
    // after a step-up within the revokeAll window, one by one works
    await w.manager.markVerified(w.alice[0]!.id, { method: 'totp' });
    w.advance(5 * MINUTE);
    expect((await guarded.DELETE(req('DELETE', `?sessionId=${w.alice[1]!.id}`))).status).toBe(200);
    w.advance(1);
    expect((await guarded.DELETE(req('DELETE', `?sessionId=${w.alice[2]!.id}`))).status).toBe(403);
    // signing out this very device is never guarded
    expect((await guarded.DELETE(req('DELETE', `?sessionId=${w.alice[0]!.id}`))).status).toBe(200);
  });

  it('revoke: false opts per-session revoke out explicitly while revokeAll stays guarded', async () => {
    const optedOut = createSessionRouteHandlers({
      manager: w.manager,
      getSession: w.getSession,
      now: w.now,
      requireRecentVerification: { revokeAll: 5 * MINUTE, revoke: false },
    });
    expect((await optedOut.DELETE(req('DELETE', '?revokeAll=true'))).status).toBe(403);
    expect((await optedOut.DELETE(req('DELETE', `?sessionId=${w.alice[1]!.id}`))).status).toBe(200);
  });

  it('guards the Pages Router handler the same way', async () => {
    const handler = createPagesSessionHandler({
      manager: w.manager,
      getSession: w.getSession,
      now: w.now,
      requireRecentVerification: { revokeAll: MINUTE },
    });
    const call = async () => {
      const { res, result } = createFakeResponse();
      await handler(
        { method: 'DELETE', url: `${PATH}?revokeAll=true`, headers: { host: 'app.example.com' } },
        res as never,
      );
      return result();
    };
    expect(await call()).toMatchObject({
      status: 403,
      body: { error: { code: 'VERIFICATION_REQUIRED' } },
    });
    await w.manager.markVerified(w.alice[0]!.id, { method: 'totp' });
    expect(await call()).toMatchObject({ status: 200, body: { revoked: 2 } });
  });

  it('refuses malformed options at construction', () => {
    const make = (requireRecentVerification: unknown) => () =>
      createSessionRouteHandlers({
        manager: w.manager,
        getSession: w.getSession,
        requireRecentVerification: requireRecentVerification as never,
      });
    for (const bad of [
      null,
      5,
      [],
      { revokeAll: 0 },
      { revokeAll: -1 },
      { revoke: '5m' },
      { revoke: true },
      { revokeAll: false },
    ]) {
      expect(make(bad)).toThrow(/requireRecentVerification/);
    }
    expect(make({})).not.toThrow();
    expect(() =>
      createSessionRouteHandlers({
        manager: w.manager,
        getSession: w.getSession,
        now: 5 as never,
      }),
    ).toThrow(/now/);
  });
});
