import type { KnownDevice } from '@sessionkit/core';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeviceRouteHandlers } from './device-route-handlers.js';
import {
  APP,
  type RouteWorld,
  read,
  request,
  routeWorld,
  USER_AGENTS,
} from './test-utils/route-world.js';

const PATH = '/api/sessions/devices';
const req = (method: string, query = '', headers: Record<string, string> = {}) =>
  request(PATH, method, query, headers);

type DeviceJson = Omit<KnownDevice, 'firstSeenAt' | 'lastSeenAt'> & {
  firstSeenAt: string;
  lastSeenAt: string;
};

describe('createDeviceRouteHandlers', () => {
  let w: RouteWorld;
  let h: ReturnType<typeof createDeviceRouteHandlers>;
  beforeEach(async () => {
    w = await routeWorld();
    h = createDeviceRouteHandlers({ manager: w.manager, getSession: w.getSession });
  });

  const devices = async () =>
    ((await read(await h.GET(req('GET')))).body as { devices: DeviceJson[] }).devices;

  it("GET returns the caller's known devices, most recently seen first, no-store, and never a token", async () => {
    const res = await read(await h.GET(req('GET')));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.body as { devices: DeviceJson[] };
    expect(body.devices.map((d) => d.deviceInfo.os)).toEqual(['Linux', 'iOS', 'Mac OS']);
    expect(body.devices[0]!.lastSeenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const bobs = await w.manager.listDevices('bob');
    expect(res.text).not.toContain(bobs[0]!.id);
    for (const token of w.tokens) expect(res.text).not.toContain(token);
  });

  it('lists a device after all its sessions ended', async () => {
    await w.manager.revoke(w.alice[1]!.id);
    expect((await devices()).map((d) => d.deviceInfo.os)).toContain('iOS');
  });

  it('DELETE ?deviceId= forgets the device: 200 { forgotten: 1 }, and its next sign-in is new again', async () => {
    const iphone = (await devices()).find((d) => d.deviceInfo.os === 'iOS')!;
    const newDevice = vi.fn();
    w.manager.on('newDevice', newDevice);
    await w.signIn('alice', USER_AGENTS.iphone);
    expect(newDevice).not.toHaveBeenCalled();

    const res = await read(
      await h.DELETE(req('DELETE', `?deviceId=${iphone.id}`, { origin: APP })),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ forgotten: 1 });
    expect((await devices()).map((d) => d.id)).not.toContain(iphone.id);
    // Forgetting signs nothing out.
    expect((await w.manager.get(w.alice[1]!.id))?.status).toBe('ACTIVE');

    await w.signIn('alice', USER_AGENTS.iphone);
    expect(newDevice).toHaveBeenCalledTimes(1);
  });

  it("answers 404 for another user's device or an unknown id, and leaves it alone", async () => {
    const [bobs] = await w.manager.listDevices('bob');
    const res = await read(await h.DELETE(req('DELETE', `?deviceId=${bobs!.id}`)));
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await w.manager.listDevices('bob')).toHaveLength(1);
    expect((await h.DELETE(req('DELETE', `?deviceId=${'A'.repeat(22)}`))).status).toBe(404);
  });

  it('rejects anything but exactly one well-formed deviceId with 400', async () => {
    const id = (await devices())[0]!.id;
    for (const query of [
      '',
      '?deviceId=',
      `?deviceId=${id}A`,
      `?deviceId=${id.slice(1)}`,
      `?deviceId=${id.slice(1)}%2F`,
      `?deviceId=${id}&deviceId=${id}`,
      `?deviceid=${id}`,
      `?sessionId=${w.alice[1]!.id}`,
      '?revokeAll=true',
    ]) {
      const res = await read(await h.DELETE(req('DELETE', query)));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    }
    expect(await devices()).toHaveLength(3);
  });

  it('answers 401 without a tracked session or when it has ended', async () => {
    w.caller.current = { user: { id: 'alice' } };
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await read(await h[method](req(method, `?deviceId=${'A'.repeat(22)}`)));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    w.caller.current = { sessionId: w.alice[0]!.id, user: { id: 'alice' } };
    await w.manager.revoke(w.alice[0]!.id);
    expect((await read(await h.GET(req('GET')))).body).toMatchObject({
      error: { code: 'SESSION_ENDED' },
    });
  });

  it('refuses a cross-site DELETE with 403 before reading the session; GET is not blocked', async () => {
    const id = (await devices())[0]!.id;
    w.getSession.mockClear();
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin: APP },
    ];
    for (const headers of crossSite) {
      const res = await read(await h.DELETE(req('DELETE', `?deviceId=${id}`, headers)));
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    expect(w.getSession).not.toHaveBeenCalled();
    expect(await devices()).toHaveLength(3);
    expect((await h.GET(req('GET', '', { origin: 'https://evil.example' }))).status).toBe(200);
  });

  it('answers 503 STORE_UNAVAILABLE when the store is down, without internals', async () => {
    w.setDown(true);
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await read(await h[method](req(method, `?deviceId=${'A'.repeat(22)}`)));
      expect(res.status).toBe(503);
      expect(res.text).not.toContain('ECONNREFUSED');
    }
  });

  it('refuses to be built without a manager or getSession', () => {
    expect(() => createDeviceRouteHandlers({ getSession: w.getSession } as never)).toThrow(
      /manager/,
    );
    expect(() => createDeviceRouteHandlers({ manager: w.manager } as never)).toThrow(/getSession/);
  });

  it('fuzz: arbitrary queries never forget another user’s device and never 5xx', async () => {
    const [bobs] = await w.manager.listDevices('bob');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'DELETE' as const),
        fc.oneof(
          fc.constant(`?deviceId=${bobs!.id}`),
          fc.string({ maxLength: 40 }).map((q) => `?deviceId=${encodeURIComponent(q)}`),
          fc.string({ maxLength: 30 }).map((q) => `?${encodeURIComponent(q)}`),
        ),
        async (method, query) => {
          const res = await h[method as 'GET'](req(method, query));
          expect([200, 400, 404]).toContain(res.status);
          expect(res.headers.get('cache-control')).toBe('no-store');
          expect(await w.manager.listDevices('bob')).toHaveLength(1);
        },
      ),
      { numRuns: 150 },
    );
  });
});
