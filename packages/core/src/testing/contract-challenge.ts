import { beforeEach, describe, expect, it } from 'vitest';
import { SignInVerificationRequiredError } from '../errors.js';
import { HOUR, type SessionManagerOptions } from '../options.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import type { SessionStore } from '../session-store.js';
import { requireVerifiedSignIn } from '../sign-in-verification.js';
import {
  CAPS,
  createTestClock,
  makeRecord,
  type StoreFactory,
  type TestClock,
  uniqueUser,
} from './fixtures.js';

// Issue 17 item 5: a risky sign-in is challenged (`suspiciousLogin.policy: 'challenge'`).
const SECRET = 'conformance-secret-0123456789abcdefghijklmnop';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** Store round trip of the challenge fields and the challenge flow through the manager. */
export function challengeContractTests(factory: StoreFactory): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser('challenge');
  });

  describe('create() keeps the challenge fields', () => {
    it('verificationRequired and trustedDevice round-trip through get() and listActive()', async () => {
      const flagged = makeRecord(clock, { userId: user }).record;
      flagged.verificationRequired = true;
      flagged.trustedDevice = true;
      const plain = makeRecord(clock, { userId: user }).record;
      await store.create(flagged, null, CAPS);
      await store.create(plain, null, CAPS);
      const stored = await store.get(flagged.id);
      expect(stored?.verificationRequired).toBe(true);
      expect(stored?.trustedDevice).toBe(true);
      const other = await store.get(plain.id);
      expect(other?.verificationRequired ?? false).toBe(false);
      expect(other?.trustedDevice ?? false).toBe(false);
      const page = await store.listActive(user, { limit: 10, after: null });
      const listed = page.records.find((r) => r.id === flagged.id);
      expect(listed?.verificationRequired).toBe(true);
      expect(listed?.trustedDevice).toBe(true);
    });
  });

  describe("suspiciousLogin.policy: 'challenge' (manager)", () => {
    // Every sign-in after the first within an hour counts as risky (a burst of 2).
    const manager = (options: Partial<SessionManagerOptions> = {}): SessionManager =>
      createSessionManager({
        store,
        now: () => clock.now(),
        secret: SECRET,
        suspiciousLogin: {
          policy: 'challenge',
          newCountry: false,
          maxTravelSpeedKmh: false,
          burst: { maxLogins: 1, windowMs: HOUR },
        },
        ...options,
      });
    const signIn = (m: SessionManager, deviceId?: string) => {
      clock.advance(1000);
      return m.create({ userId: user, userAgent: FIREFOX, ...(deviceId ? { deviceId } : {}) });
    };

    it('a risky sign-in is created, flagged, and validate() returns it with the flag until markVerified()', async () => {
      const m = manager();
      const events: unknown[] = [];
      m.on('suspiciousLogin', (e) => {
        events.push(e.policy);
      });
      const first = await signIn(m);
      expect(first.session.verificationRequired).toBeUndefined();
      const risky = await signIn(m, first.deviceId);
      expect(risky.session.verificationRequired).toBe(true);
      expect(risky.session.risk?.reasons).toEqual(['login_burst']);
      expect(events).toEqual(['challenge']);
      const validated = await m.validate(risky.token);
      expect(validated?.verificationRequired).toBe(true);
      expect(() => requireVerifiedSignIn(validated)).toThrow(SignInVerificationRequiredError);
      await m.markVerified(risky.session.id, { method: 'totp', userId: user });
      const after = await m.validate(risky.token);
      expect(after?.verificationRequired).toBeUndefined();
      expect(() => requireVerifiedSignIn(after)).not.toThrow();
      expect(await m.list(user)).toHaveLength(2);
    });

    it('the verified device is trusted from then on (across its rotating device ids); another device is challenged', async () => {
      const m = manager();
      const first = await signIn(m);
      const challenged = await signIn(m, first.deviceId);
      await m.markVerified(challenged.session.id, { method: 'totp' });
      const again = await signIn(m, challenged.deviceId);
      expect(again.session.risk?.reasons).toEqual(['login_burst']);
      expect(again.session.verificationRequired).toBeUndefined();
      // The trust carries on to the id this sign-in rotated the device to.
      const later = await signIn(m, again.deviceId);
      expect(later.session.verificationRequired).toBeUndefined();
      // A device without the cookie (another browser that looks the same) is not trusted.
      const stranger = await signIn(m);
      expect(stranger.session.verificationRequired).toBe(true);
    });

    it('forgetDevice() ends the trust: the next risky sign-in from it is challenged again', async () => {
      const m = manager();
      const first = await signIn(m);
      const challenged = await signIn(m, first.deviceId);
      await m.markVerified(challenged.session.id, { method: 'totp' });
      const trusted = await signIn(m, challenged.deviceId);
      expect(trusted.session.verificationRequired).toBeUndefined();
      const devices = await m.listDevices(user);
      const entry = devices.find(
        (d) => d.lastSeenAt.getTime() === trusted.session.createdAt.getTime(),
      );
      expect(entry).toBeDefined();
      expect(await m.forgetDevice(user, entry?.id as string)).toBe(true);
      const afterForget = await signIn(m, trusted.deviceId);
      expect(afterForget.session.verificationRequired).toBe(true);
    });

    it("an unverified challenged session does not vouch for its device; 'flag' never challenges", async () => {
      const m = manager();
      const first = await signIn(m);
      const challenged = await signIn(m, first.deviceId);
      const next = await signIn(m, challenged.deviceId);
      expect(next.session.verificationRequired).toBe(true);
      const flagOnly = manager({
        suspiciousLogin: {
          policy: 'flag',
          newCountry: false,
          maxTravelSpeedKmh: false,
          burst: { maxLogins: 1, windowMs: HOUR },
        },
      });
      const flagged = await signIn(flagOnly, next.deviceId);
      expect(flagged.session.risk?.reasons).toEqual(['login_burst']);
      expect(flagged.session.verificationRequired).toBeUndefined();
    });
  });
}
