import { describe, expect, it, vi } from 'vitest';
import {
  GeoBlockedError,
  InvalidInputError,
  SessionLimitError,
  SessionStoreError,
} from './errors.js';
import { createMemoryStore } from './memory-store.js';
import type { SessionManagerOptions } from './options.js';
import { createSessionManager } from './session-manager.js';
import type { SessionStore } from './session-store.js';
import { createTestClock } from './testing/fixtures.js';

const store = () => createMemoryStore();
const quietLogger = { warn: vi.fn(), error: vi.fn() };

describe('createSessionManager() options', () => {
  it.each<[string, Partial<SessionManagerOptions>, RegExp]>([
    [
      'missing store',
      { store: undefined as unknown as SessionStore },
      /options\.store is required/,
    ],
    [
      'incomplete store',
      { store: { get: async () => null } as unknown as SessionStore },
      /create\(\) is missing/,
    ],
    [
      // The contract is all-required: a store without bindUserShard is refused
      // up front, not probed for and silently left on the legacy shard.
      'store without bindUserShard',
      {
        store: (() => {
          const { bindUserShard: _omitted, ...rest } = createMemoryStore();
          return rest as unknown as SessionStore;
        })(),
      },
      /bindUserShard\(\) is missing/,
    ],
    ['negative expiresIn', { expiresIn: -1 }, /expiresIn must be a number of milliseconds/],
    ['string expiresIn', { expiresIn: '30d' as unknown as number }, /expiresIn.*the string "30d"/],
    ['zero idleTimeout', { idleTimeout: 0 }, /idleTimeout/],
    ['NaN touchInterval', { touchInterval: Number.NaN }, /touchInterval/],
    ['fractional limit', { maxSessionsPerUser: 1.5 }, /maxSessionsPerUser must be an integer/],
    [
      'bad policy',
      { onSessionLimit: 'kick' as 'reject' },
      /onSessionLimit must be 'revoke-oldest', 'reject' or 'ask'/,
    ],
    [
      'limitPolicy and onSessionLimit disagree',
      { limitPolicy: 'ask', onSessionLimit: 'reject' },
      /limitPolicy \('ask'\) and options\.onSessionLimit \('reject'\) disagree/,
    ],
    ['bad limitPolicy', { limitPolicy: 'choose' as 'ask' }, /limitPolicy must be/],
    ['pendingSignInTtl too long', { pendingSignInTtl: 2 * 60 * 60 * 1000 }, /pendingSignInTtl/],
    [
      'geo not a function',
      { geo: 'maxmind' as unknown as () => null },
      /options\.geo must be a function/,
    ],
    [
      'geoPolicy without geo',
      { geoPolicy: { blockCountries: ['KP'] } },
      /geoPolicy needs options\.geo/,
    ],
    [
      'bad country code',
      { geo: () => null, geoPolicy: { allowCountries: ['Germany'] } },
      /alpha-2/,
    ],
    ['bad trustProxy', { trustProxy: -1 }, /trustProxy must be true, false or the number/],
    [
      'bad refreshTokens',
      { refreshTokens: 'yes' as unknown as boolean },
      /refreshTokens must be true or false/,
    ],
    ['bad clock', { now: 5 as unknown as () => number }, /options\.now must be a function/],
  ])('rejects %s with an InvalidInputError saying how to fix it', (_label, overrides, message) => {
    const attempt = () => createSessionManager({ store: store(), ...overrides });
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(message);
  });

  it('rejects a missing options object', () => {
    expect(() => createSessionManager(undefined as unknown as SessionManagerOptions)).toThrow(
      InvalidInputError,
    );
  });

  it('defaults to a 30-day absolute lifetime', async () => {
    const clock = createTestClock();
    const manager = createSessionManager({ store: store(), now: clock.now });
    const { session } = await manager.create({ userId: 'u' });
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(30 * 24 * 3_600_000);
  });
});

describe('input checks on every public method', () => {
  const manager = createSessionManager({ store: store(), refreshTokens: true });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      'create without userId',
      () => manager.create({} as { userId: string }),
      /userId must be a non-empty string/,
    ],
    [
      'create with a huge userId',
      () => manager.create({ userId: 'u'.repeat(300) }),
      /maximum is 256/,
    ],
    [
      'create with an operator object',
      () => manager.create({ userId: { $ne: null } as unknown as string }),
      /userId/,
    ],
    [
      'create with control characters',
      () => manager.create({ userId: 'a\nb' }),
      /control characters/,
    ],
    [
      'create with array metadata',
      () => manager.create({ userId: 'u', metadata: [] as unknown as Record<string, unknown> }),
      /metadata must be a plain object/,
    ],
    [
      'create with huge metadata',
      () => manager.create({ userId: 'u', metadata: { blob: 'x'.repeat(9000) } }),
      /larger than 8192 bytes/,
    ],
    [
      'create with a class instance as metadata',
      () =>
        manager.create({ userId: 'u', metadata: new Map() as unknown as Record<string, unknown> }),
      /plain object/,
    ],
    [
      'create with a bad ip',
      () => manager.create({ userId: 'u', ipAddress: 'nope' }),
      /ipAddress is not a valid/,
    ],
    [
      'create with a numeric user agent',
      () => manager.create({ userId: 'u', userAgent: 5 as unknown as string }),
      /userAgent must be a string/,
    ],
    [
      'create with non-object headers',
      () => manager.create({ userId: 'u', headers: 'x' as unknown as Headers }),
      /headers must be/,
    ],
    [
      'get with a malformed id',
      () => manager.get('../../etc/passwd'),
      /sessionId must be a session id/,
    ],
    [
      'get with an operator object',
      () => manager.get({ $gt: '' } as unknown as string),
      /sessionId/,
    ],
    ['revoke with a malformed id', () => manager.revoke('abc'), /sessionId/],
    [
      'revoke with a bad reason',
      () => manager.revoke('A'.repeat(28), { reason: '' }),
      /reason must be/,
    ],
    [
      'revoke with a bad owner',
      () => manager.revoke('A'.repeat(28), { userId: 7 as unknown as string }),
      /userId/,
    ],
    [
      'revokeAll with a bad except',
      () => manager.revokeAll('u', { except: 'short' }),
      /except must be a session id/,
    ],
    [
      'list with a bad status',
      () => manager.list('u', { status: 'DELETED' as 'ACTIVE' }),
      /status must be one of/,
    ],
    [
      'list with non-object options',
      () => manager.list('u', 'ACTIVE' as unknown as { status: 'ACTIVE' }),
      /options must be an object/,
    ],
    [
      'history with a bad limit',
      () => manager.history('u', { limit: 0 }),
      /limit must be an integer/,
    ],
    [
      'history with a huge limit',
      () => manager.history('u', { limit: 10_001 }),
      /limit must be an integer/,
    ],
  ])('%s → InvalidInputError', async (_label, call, message) => {
    await expect(call()).rejects.toBeInstanceOf(InvalidInputError);
    await expect(call()).rejects.toThrow(message);
  });

  it('validate(), touch(), logout() and refresh() return null/false for malformed tokens', async () => {
    for (const bad of [undefined, null, '', 'x', 'y'.repeat(500), { $ne: null }, 42, ['a']]) {
      expect(await manager.validate(bad as string)).toBeNull();
      expect(await manager.touch(bad as string)).toBe(false);
      expect(await manager.logout(bad as string)).toBe(false);
      expect(await manager.refresh(bad as string)).toBeNull();
    }
  });

  it('refresh() explains how to enable refresh tokens when they are off', async () => {
    const plain = createSessionManager({ store: store() });
    await expect(plain.refresh('x')).rejects.toThrow(/refreshTokens: true/);
  });

  it('on() rejects unknown events and non-function handlers', () => {
    expect(() => manager.on('deleted' as 'created', () => {})).toThrow(/unknown event/);
    expect(() => manager.on('created', 'x' as unknown as () => void)).toThrow(InvalidInputError);
  });
});

describe('failing closed', () => {
  const broken = (): SessionStore => {
    const fail = async () => {
      throw new Error(
        'connect ECONNREFUSED 127.0.0.1:6379 while reading key sk:{abc}:s:Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eHh4eHh4eA',
      );
    };
    return {
      create: fail,
      get: fail,
      listActive: fail,
      listEnded: fail,
      touch: fail,
      end: fail,
      endAllForUser: fail,
      rotateRefreshToken: fail,
      listDevices: fail,
      forgetDevice: fail,
      markVerified: fail,
      cleanup: fail,
      bindUserShard: () => {},
      requestRefresh: fail,
      clearRefreshRequest: fail,
      linkOrigin: fail,
      getOrigin: fail,
      endFederated: fail,
      holdSignIn: fail,
      getPendingSignIn: fail,
      completeSignIn: fail,
    };
  };

  it('every call rejects with SessionStoreError when the store cannot answer', async () => {
    const manager = createSessionManager({ store: broken(), refreshTokens: true });
    const token = 'A'.repeat(71);
    const calls = [
      manager.create({ userId: 'u' }),
      manager.validate(token),
      manager.get('A'.repeat(28)),
      manager.list('u'),
      manager.history('u'),
      manager.touch(token),
      manager.revoke('A'.repeat(28)),
      manager.revokeAll('u'),
      manager.logout(token),
      manager.refresh(token),
      manager.listDevices('u'),
      manager.forgetDevice('u', 'A'.repeat(22)),
      manager.markVerified('A'.repeat(28), { method: 'totp' }),
      manager.cleanup(),
    ];
    for (const call of calls) {
      const error = await call.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SessionStoreError);
      expect((error as SessionStoreError).code).toBe('STORE_UNAVAILABLE');
      // Long key-like runs (hashes, ids) are redacted from the message and the cause.
      expect((error as Error).message).not.toMatch(/Zm9vYmFy/);
      expect(String((error as Error).cause)).not.toMatch(/Zm9vYmFy/);
    }
  });
});

describe('geo', () => {
  const locateAs = (country: string | null) => () =>
    country === null ? null : { country, region: null, city: null };

  it('records the resolved location for the client ip', async () => {
    const geo = vi.fn(async () => ({ country: 'de', region: 'BE', city: 'Berlin' }));
    const manager = createSessionManager({ store: store(), geo, trustProxy: 1 });
    const { session } = await manager.create({
      userId: 'u',
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(geo).toHaveBeenCalledWith('198.51.100.7');
    expect(session.location).toEqual({ country: 'DE', region: 'BE', city: 'Berlin' });
    expect(session.ipAddress).toBe('198.51.100.7');
  });

  it('a failing resolver records an unknown location and logs a warning', async () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    const manager = createSessionManager({
      store: store(),
      logger,
      geo: () => {
        throw new Error('db missing');
      },
    });
    const { session } = await manager.create({ userId: 'u', ipAddress: '198.51.100.7' });
    expect(session.location).toBeNull();
    expect(logger.warn).toHaveBeenCalledOnce();
  });

  it('blockCountries refuses sign-ins from those countries with GeoBlockedError', async () => {
    const manager = createSessionManager({
      store: store(),
      geo: locateAs('KP'),
      geoPolicy: { blockCountries: ['kp'] },
    });
    await expect(manager.create({ userId: 'u', ipAddress: '175.45.176.1' })).rejects.toBeInstanceOf(
      GeoBlockedError,
    );
    expect(await manager.list('u')).toEqual([]);
  });

  it('allowCountries refuses other and unknown countries unless allowUnknown', async () => {
    const manager = createSessionManager({
      store: store(),
      geo: locateAs('FR'),
      geoPolicy: { allowCountries: ['DE'] },
    });
    await expect(manager.create({ userId: 'u', ipAddress: '198.51.100.1' })).rejects.toMatchObject({
      code: 'GEO_BLOCKED',
      country: 'FR',
    });
    const unknown = createSessionManager({
      store: store(),
      geo: locateAs(null),
      geoPolicy: { allowCountries: ['DE'] },
    });
    await expect(unknown.create({ userId: 'u' })).rejects.toMatchObject({
      code: 'GEO_BLOCKED',
      country: null,
    });
    const lenient = createSessionManager({
      store: store(),
      geo: locateAs(null),
      geoPolicy: { allowCountries: ['DE'], allowUnknown: true },
    });
    await expect(lenient.create({ userId: 'u' })).resolves.toHaveProperty('token');
    const allowed = createSessionManager({
      store: store(),
      geo: locateAs('DE'),
      geoPolicy: { allowCountries: ['DE'] },
    });
    await expect(
      allowed.create({ userId: 'u', ipAddress: '198.51.100.1' }),
    ).resolves.toHaveProperty('token');
  });
});

describe('events', () => {
  it('a throwing or rejecting handler is logged and never breaks the call', async () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    const manager = createSessionManager({ store: store(), logger });
    manager.on('created', () => {
      throw new Error('mailer down');
    });
    manager.on('created', async () => {
      throw new Error('webhook down');
    });
    await expect(manager.create({ userId: 'u' })).resolves.toHaveProperty('session');
    await new Promise((resolve) => setImmediate(resolve));
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it('unsubscribe stops delivery', async () => {
    const manager = createSessionManager({ store: store() });
    const handler = vi.fn();
    const off = manager.on('created', handler);
    await manager.create({ userId: 'u' });
    off();
    await manager.create({ userId: 'u' });
    expect(handler).toHaveBeenCalledOnce();
  });

  it("'reject' emits limitExceeded before throwing SessionLimitError", async () => {
    const manager = createSessionManager({
      store: store(),
      maxSessionsPerUser: 1,
      onSessionLimit: 'reject',
      logger: quietLogger,
    });
    const events = vi.fn();
    manager.on('limitExceeded', events);
    await manager.create({ userId: 'u' });
    await expect(manager.create({ userId: 'u' })).rejects.toBeInstanceOf(SessionLimitError);
    expect(events).toHaveBeenCalledWith({ userId: 'u', limit: 1, policy: 'reject', evicted: [] });
  });

  it('no event payload ever carries a token', async () => {
    const manager = createSessionManager({
      store: store(),
      refreshTokens: true,
      maxSessionsPerUser: 1,
    });
    const payloads: string[] = [];
    for (const event of [
      'created',
      'newDevice',
      'revoked',
      'loggedOut',
      'expired',
      'limitExceeded',
      'refreshReuse',
    ] as const) {
      manager.on(event, (payload) => {
        payloads.push(JSON.stringify(payload));
      });
    }
    const a = await manager.create({ userId: 'u' });
    const b = await manager.create({ userId: 'u' });
    const rotated = await manager.refresh(b.refreshToken as string);
    await manager.refresh(b.refreshToken as string);
    const secrets = [
      a.token,
      a.refreshToken,
      b.token,
      b.refreshToken,
      rotated?.token,
      rotated?.refreshToken,
    ];
    expect(payloads.length).toBeGreaterThan(4);
    for (const secret of secrets) {
      for (const payload of payloads) expect(payload.includes(secret as string)).toBe(false);
    }
    expect(payloads.join()).not.toMatch(/Hash/);
  });
});

describe('tokens and ids', () => {
  it('issues 256-bit base64url secrets and URL-safe unguessable ids', async () => {
    const manager = createSessionManager({ store: store(), refreshTokens: true });
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { session, token, refreshToken } = await manager.create({ userId: 'u' });
      expect(token).toMatch(/^[A-Za-z0-9_-]{71}$/);
      // <session id><256-bit secret>.<generation>.<128-bit tag>
      expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{71}\.0\.[A-Za-z0-9_-]{22}$/);
      expect(refreshToken?.startsWith(session.id)).toBe(true);
      expect(session.id).toMatch(/^[A-Za-z0-9_-]{28}$/);
      expect(token.startsWith(session.id)).toBe(true);
      seen.add(token).add(session.id);
    }
    expect(seen.size).toBe(100);
  });

  it('a token of another session with a swapped id prefix does not validate', async () => {
    const manager = createSessionManager({ store: store() });
    const a = await manager.create({ userId: 'u' });
    const b = await manager.create({ userId: 'u' });
    const spliced = a.session.id + b.token.slice(28);
    expect(await manager.validate(spliced)).toBeNull();
    expect(await manager.logout(spliced)).toBe(false);
  });
});

describe('store calls that throw synchronously', () => {
  it('still reject with SessionStoreError (never a raw throw)', async () => {
    const store = createMemoryStore();
    const manager = createSessionManager({
      store: {
        ...store,
        get: () => {
          throw new Error('sync failure');
        },
      },
    });
    await expect(manager.validate('A'.repeat(71))).rejects.toBeInstanceOf(SessionStoreError);
  });
});
