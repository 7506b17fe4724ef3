import { describe, expect, it, vi } from 'vitest';
import {
  createDeviceIdCookie,
  DEVICE_ID_COOKIE,
  deviceFingerprint,
  readDeviceIdCookie,
} from './device.js';
import { SuspiciousLoginError, VerificationRequiredError } from './errors.js';
import { createMemoryStore } from './memory-store.js';
import { MINUTE } from './options.js';
import { createRevocationLinks } from './revocation-links.js';
import { assessLogin, distanceKm } from './risk.js';
import type { SessionLocation } from './session.js';
import { createSessionManager } from './session-manager.js';
import { createTestClock } from './testing/fixtures.js';
import { isRecentlyVerified, requireRecentVerification } from './verification.js';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

const BERLIN: SessionLocation = {
  country: 'DE',
  region: 'BE',
  city: 'Berlin',
  latitude: 52.52,
  longitude: 13.405,
};
const MUNICH: SessionLocation = {
  country: 'DE',
  region: 'BY',
  city: 'Munich',
  latitude: 48.137,
  longitude: 11.575,
};
const SYDNEY: SessionLocation = {
  country: 'AU',
  region: 'NSW',
  city: 'Sydney',
  latitude: -33.87,
  longitude: 151.21,
};

const geoByIp: Record<string, SessionLocation> = {
  '198.51.100.1': BERLIN,
  '198.51.100.2': MUNICH,
  '198.51.100.3': SYDNEY,
};
const geo = (ip: string) => geoByIp[ip] ?? null;

describe('device fingerprints', () => {
  const info = {
    type: 'desktop' as const,
    os: 'Mac OS',
    osVersion: '10.15',
    browser: 'Chrome',
    browserVersion: '126',
  };

  it('are stable across browser versions, distinct per user and per browser, and 22 URL-safe chars', () => {
    const a = deviceFingerprint('u1', info);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(deviceFingerprint('u1', { ...info, browserVersion: '127', osVersion: '14' })).toBe(a);
    expect(deviceFingerprint('u2', info)).not.toBe(a);
    expect(deviceFingerprint('u1', { ...info, browser: 'Firefox' })).not.toBe(a);
  });

  it('include client hints and prefer the device-id cookie', () => {
    const plain = deviceFingerprint('u1', info);
    const hinted = deviceFingerprint(
      'u1',
      info,
      new Headers({ 'sec-ch-ua-platform': '"macOS"', 'sec-ch-ua-mobile': '?0' }),
    );
    expect(hinted).not.toBe(plain);
    const { value } = createDeviceIdCookie();
    const withCookie = deviceFingerprint('u1', info, null, value);
    expect(withCookie).not.toBe(plain);
    // Browser family and OS still count with the cookie (issue 20): the same id
    // copied into another browser is another device; a version bump is not.
    expect(deviceFingerprint('u1', { ...info, browser: 'Firefox' }, null, value)).not.toBe(
      withCookie,
    );
    expect(deviceFingerprint('u1', { ...info, os: 'Windows' }, null, value)).not.toBe(withCookie);
    expect(deviceFingerprint('u1', { ...info, browserVersion: '999.0' }, null, value)).toBe(
      withCookie,
    );
  });

  it('reads the device-id cookie and ignores malformed values', () => {
    const { name, value, options } = createDeviceIdCookie();
    expect(name).toBe(DEVICE_ID_COOKIE);
    expect(options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });
    expect(readDeviceIdCookie({ cookie: `a=1; ${DEVICE_ID_COOKIE}=${value}; b=2` })).toBe(value);
    expect(readDeviceIdCookie({ cookie: `${DEVICE_ID_COOKIE}={"$ne":1}` })).toBeNull();
    expect(createDeviceIdCookie(value).value).toBe(value);
    expect(createDeviceIdCookie('bad value').value).not.toBe('bad value');
  });
});

describe('device-id cookie hardening (issue 20)', () => {
  const a = 'AAAAAAAAAAAAAAAAAAAAAA';
  const b = 'BBBBBBBBBBBBBBBBBBBBBB';
  it('ignores a device-id cookie sent twice, and prefers __Host- over the plain name', () => {
    expect(
      readDeviceIdCookie({ cookie: `${DEVICE_ID_COOKIE}=${a}; ${DEVICE_ID_COOKIE}=${b}` }),
    ).toBeNull();
    expect(
      readDeviceIdCookie({ cookie: `${DEVICE_ID_COOKIE}=${a}; ${DEVICE_ID_COOKIE}=${a}` }),
    ).toBeNull();
    expect(
      readDeviceIdCookie({
        cookie: `__Host-${DEVICE_ID_COOKIE}=${a}; __Host-${DEVICE_ID_COOKIE}=${b}`,
      }),
    ).toBeNull();
    expect(
      readDeviceIdCookie({ cookie: `${DEVICE_ID_COOKIE}=${b}; __Host-${DEVICE_ID_COOKIE}=${a}` }),
    ).toBe(a);
  });

  it('names the cookie __Host- (Secure, Path=/) on https and keeps the plain name on http', () => {
    expect(createDeviceIdCookie(a, { secure: true })).toMatchObject({
      name: `__Host-${DEVICE_ID_COOKIE}`,
      value: a,
      options: { secure: true, path: '/', httpOnly: true },
    });
    expect(createDeviceIdCookie(a, { secure: false })).toMatchObject({
      name: DEVICE_ID_COOKIE,
      options: { secure: false },
    });
  });
});

describe('known devices through the manager', () => {
  it('newDevice fires once per device, survives session end, and again after forgetDevice()', async () => {
    const clock = createTestClock();
    const manager = createSessionManager({
      store: createMemoryStore({ now: clock.now }),
      now: clock.now,
      expiresIn: MINUTE,
    });
    const newDevice = vi.fn();
    manager.on('newDevice', newDevice);
    await manager.create({ userId: 'u', userAgent: CHROME_MAC });
    clock.advance(2 * MINUTE); // the first session expired
    await manager.create({ userId: 'u', userAgent: CHROME_MAC });
    clock.advance(1000);
    await manager.create({ userId: 'u', userAgent: FIREFOX_LINUX });
    expect(newDevice).toHaveBeenCalledTimes(2);

    const devices = await manager.listDevices('u');
    expect(devices.map((d) => d.deviceInfo.browser)).toEqual(['Firefox', 'Chrome']);
    expect(devices[1]?.firstSeenAt.getTime()).toBeLessThan(devices[1]?.lastSeenAt.getTime() ?? 0);
    expect(JSON.stringify(devices)).not.toMatch(/userId|purgeAt/);

    const chrome = devices[1]?.id as string;
    expect(await manager.forgetDevice('u', chrome)).toBe(true);
    await manager.create({ userId: 'u', userAgent: CHROME_MAC });
    expect(newDevice).toHaveBeenCalledTimes(3);
    await expect(manager.forgetDevice('u', '../x')).rejects.toThrow(/deviceId must be/);
  });
});

describe('suspicious-login signals', () => {
  const options = {
    newCountry: true,
    maxTravelSpeedKmh: 1000,
    burst: { maxLogins: 3, windowMs: 10 * MINUTE },
  };
  const prior = (location: SessionLocation | null, minutesAgo: number, now: Date) => ({
    createdAt: new Date(now.getTime() - minutesAgo * MINUTE),
    lastActivityAt: new Date(now.getTime() - minutesAgo * MINUTE),
    location,
  });

  it('flags a new country only when the user has a known country', () => {
    const now = new Date();
    expect(assessLogin({ at: now, location: SYDNEY }, [], { ...options, policy: 'flag' })).toEqual(
      [],
    );
    expect(
      assessLogin({ at: now, location: MUNICH }, [prior(BERLIN, 600, now)], {
        ...options,
        policy: 'flag',
      }),
    ).toEqual([]);
    expect(
      assessLogin({ at: now, location: SYDNEY }, [prior(BERLIN, 60 * 24 * 7, now)], {
        ...options,
        policy: 'flag',
      }),
    ).toEqual(['new_country']);
  });

  it('flags impossible travel but not a plausible trip', () => {
    const now = new Date();
    const km = distanceKm(BERLIN, SYDNEY) ?? 0;
    expect(km).toBeGreaterThan(16_000);
    expect(km).toBeLessThan(16_200);
    const quick = assessLogin({ at: now, location: SYDNEY }, [prior(BERLIN, 60, now)], {
      ...options,
      newCountry: false,
      policy: 'flag',
    });
    expect(quick).toEqual(['impossible_travel']);
    const slow = assessLogin({ at: now, location: SYDNEY }, [prior(BERLIN, 60 * 24, now)], {
      ...options,
      newCountry: false,
      policy: 'flag',
    });
    expect(slow).toEqual([]);
    // Berlin → Munich (~500 km) in one hour is fast but possible by plane.
    expect(
      assessLogin({ at: now, location: MUNICH }, [prior(BERLIN, 60, now)], {
        ...options,
        policy: 'flag',
      }),
    ).toEqual([]);
  });

  it('flags bursts of sign-ins', () => {
    const now = new Date();
    const recent = [prior(null, 1, now), prior(null, 2, now), prior(null, 3, now)];
    expect(
      assessLogin({ at: now, location: null }, recent.slice(0, 2), { ...options, policy: 'flag' }),
    ).toEqual([]);
    expect(
      assessLogin({ at: now, location: null }, recent, { ...options, policy: 'flag' }),
    ).toEqual(['login_burst']);
  });

  it("'flag' records risk on the session and emits suspiciousLogin", async () => {
    const clock = createTestClock();
    const manager = createSessionManager({
      store: createMemoryStore({ now: clock.now }),
      now: clock.now,
      geo,
      suspiciousLogin: true,
    });
    const events = vi.fn();
    manager.on('suspiciousLogin', events);
    const home = await manager.create({ userId: 'u', ipAddress: '198.51.100.1' });
    expect(home.session.risk).toBeUndefined();
    clock.advance(30 * MINUTE);
    const away = await manager.create({ userId: 'u', ipAddress: '198.51.100.3' });
    expect(away.session.risk).toEqual({ reasons: ['new_country', 'impossible_travel'] });
    expect((await manager.get(away.session.id))?.risk).toEqual({
      reasons: ['new_country', 'impossible_travel'],
    });
    expect(events).toHaveBeenCalledWith(
      expect.objectContaining({
        userId: 'u',
        policy: 'flag',
        reasons: ['new_country', 'impossible_travel'],
      }),
    );
  });

  it("'reject' refuses the sign-in with SuspiciousLoginError and stores nothing", async () => {
    const clock = createTestClock();
    const manager = createSessionManager({
      store: createMemoryStore({ now: clock.now }),
      now: clock.now,
      geo,
      suspiciousLogin: { policy: 'reject' },
    });
    const events = vi.fn();
    manager.on('suspiciousLogin', events);
    await manager.create({ userId: 'u', ipAddress: '198.51.100.1' });
    clock.advance(MINUTE);
    const attempt = manager.create({ userId: 'u', ipAddress: '198.51.100.3' });
    await expect(attempt).rejects.toBeInstanceOf(SuspiciousLoginError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SUSPICIOUS_LOGIN',
      reasons: ['new_country', 'impossible_travel'],
    });
    expect(await manager.list('u')).toHaveLength(1);
    expect(events).toHaveBeenCalledWith(
      expect.objectContaining({ policy: 'reject', session: null }),
    );
  });

  it("'allow' only emits the event", async () => {
    const clock = createTestClock();
    const manager = createSessionManager({
      store: createMemoryStore({ now: clock.now }),
      now: clock.now,
      geo,
      suspiciousLogin: { policy: 'allow' },
    });
    const events = vi.fn();
    manager.on('suspiciousLogin', events);
    await manager.create({ userId: 'u', ipAddress: '198.51.100.1' });
    const away = await manager.create({ userId: 'u', ipAddress: '198.51.100.3' });
    expect(away.session.risk).toBeUndefined();
    expect(events).toHaveBeenCalledOnce();
  });

  it('validates its options', () => {
    const store = createMemoryStore();
    expect(() =>
      createSessionManager({ store, suspiciousLogin: { policy: 'block' as 'flag' } }),
    ).toThrow(/policy must be/);
    expect(() =>
      createSessionManager({ store, suspiciousLogin: { maxTravelSpeedKmh: -5 } }),
    ).toThrow(/maxTravelSpeedKmh/);
    expect(() =>
      createSessionManager({ store, suspiciousLogin: { burst: { maxLogins: 0, windowMs: 1 } } }),
    ).toThrow(/burst/);
  });
});

describe('step-up verification', () => {
  it('markVerified() records the factor; requireRecentVerification() checks its age', async () => {
    const clock = createTestClock();
    const manager = createSessionManager({
      store: createMemoryStore({ now: clock.now }),
      now: clock.now,
    });
    const verified = vi.fn();
    manager.on('verified', verified);
    const { session, token } = await manager.create({ userId: 'u' });
    expect(() => requireRecentVerification(session, 5 * MINUTE, clock.now())).toThrow(
      VerificationRequiredError,
    );

    const marked = await manager.markVerified(session.id, { method: 'totp', userId: 'u' });
    expect(marked?.verification).toEqual({ verifiedAt: new Date(clock.now()), method: 'totp' });
    expect(verified).toHaveBeenCalledOnce();
    const current = await manager.validate(token);
    expect(() => requireRecentVerification(current, 5 * MINUTE, clock.now())).not.toThrow();

    clock.advance(5 * MINUTE + 1);
    expect(isRecentlyVerified(current, 5 * MINUTE, clock.now())).toBe(false);
    expect(() => requireRecentVerification(current, 5 * MINUTE, clock.now())).toThrow(
      /within the last 300 s/,
    );
    // JSON-shaped sessions (dates as strings) work too.
    const fromJson = JSON.parse(JSON.stringify(current));
    expect(isRecentlyVerified(fromJson, 10 * MINUTE, clock.now())).toBe(true);
  });

  it('markVerified() refuses ended sessions, other owners and bad input', async () => {
    const manager = createSessionManager({ store: createMemoryStore() });
    const { session } = await manager.create({ userId: 'u' });
    expect(await manager.markVerified(session.id, { method: 'totp', userId: 'other' })).toBeNull();
    await manager.revoke(session.id);
    expect(await manager.markVerified(session.id, { method: 'totp' })).toBeNull();
    await expect(manager.markVerified(session.id, {} as { method: string })).rejects.toThrow(
      /options\.method/,
    );
    await expect(manager.markVerified('nope', { method: 'totp' })).rejects.toThrow(/sessionId/);
  });
});

describe('revocation links', () => {
  const secret = 'x'.repeat(32);

  it('round-trips a session id until it expires, and rejects forgeries', () => {
    const clock = createTestClock();
    const links = createRevocationLinks({ secret, now: clock.now, expiresIn: 60 * MINUTE });
    const id = 'A'.repeat(28);
    const token = links.create(id);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(links.verify(token)).toBe(id);
    expect(links.verify(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBeNull();
    expect(links.verify(`${'B'.repeat(28)}${token.slice(28)}`)).toBeNull();
    expect(
      createRevocationLinks({ secret: 'y'.repeat(32), now: clock.now }).verify(token),
    ).toBeNull();
    expect(links.verify('garbage')).toBeNull();
    clock.advance(60 * MINUTE);
    expect(links.verify(token)).toBeNull();
  });

  it('demands a real secret and a session id', () => {
    expect(() => createRevocationLinks({ secret: 'short' })).toThrow(/at least 32 characters/);
    expect(() => createRevocationLinks({ secret }).create('x')).toThrow(/session id/);
  });
});

describe('location privacy', () => {
  it('keeps coordinates in the store for risk checks but never returns them', async () => {
    const store = createMemoryStore();
    const manager = createSessionManager({ store, geo });
    const { session } = await manager.create({ userId: 'u', ipAddress: '198.51.100.1' });
    expect(session.location).toEqual({ country: 'DE', region: 'BE', city: 'Berlin' });
    expect((await store.get(session.id))?.location).toEqual(BERLIN);
    expect((await manager.listDevices('u'))[0]?.lastLocation).toEqual({
      country: 'DE',
      region: 'BE',
      city: 'Berlin',
    });
    expect(JSON.stringify(await manager.list('u'))).not.toMatch(/latitude|longitude/);
  });
});
