// Shared pieces of the route-handler fuzz suites: a small world of two users
// (Alice, the caller, and Bob, who must never be affected), hostile query,
// header and body arbitraries, and the checks every response must pass.
import { createMemoryStore, createSessionManager, type SessionManager } from '@sessionkit/core';
import type { TrackedSessionLike } from '@sessionkit/next-auth';
import fc from 'fast-check';
import { expect } from 'vitest';
import { SecretRegistry } from './secrets.js';

export const APP = 'https://app.example.com';
export const PATH = '/api/sessions';

export interface World {
  manager: SessionManager;
  secrets: SecretRegistry;
  /** Alice's three session ids; each signed in from another device. */
  alice: string[];
  bob: string[];
  /** Known-device ids (one per user agent), sorted. */
  aliceDevices: string[];
  bobDevices: string[];
  getSession: () => TrackedSessionLike | null;
  caller: { current: TrackedSessionLike | null };
  /** The manager's (and the handlers') clock. */
  clock: { now: number };
}

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
];

export async function world(): Promise<World> {
  const clock = { now: Date.UTC(2026, 0, 10, 12) };
  const manager = createSessionManager({
    store: createMemoryStore({ now: () => clock.now }),
    now: () => clock.now,
    refreshTokens: true,
    logger: { warn() {}, error() {} },
  });
  const secrets = new SecretRegistry();
  const make = async (userId: string, agent: number) => {
    const created = await manager.create({ userId, userAgent: AGENTS[agent] ?? '' });
    secrets.add(`token of ${created.session.id}`, created.token);
    secrets.add(`refresh token of ${created.session.id}`, created.refreshToken);
    clock.now += 1000;
    return created.session;
  };
  const alice = [await make('alice', 0), await make('alice', 1), await make('alice', 2)];
  const bob = [await make('bob', 0), await make('bob', 1)];
  const devices = async (userId: string) =>
    (await manager.listDevices(userId)).map((d) => d.id).sort();
  const caller = {
    current: { sessionId: alice[0]?.id, user: { id: 'alice' } } as TrackedSessionLike | null,
  };
  return {
    manager,
    secrets,
    alice: alice.map((s) => s.id),
    bob: bob.map((s) => s.id),
    aliceDevices: await devices('alice'),
    bobDevices: await devices('bob'),
    caller,
    clock,
    getSession: () => caller.current,
  };
}

/**
 * A user's sessions and known devices as stored: ids, statuses, activity,
 * verification and devices. Nothing a request for Alice may change for Bob.
 */
export async function snapshot(w: World, userId: string, ids: string[]): Promise<string> {
  const listed = await w.manager.list(userId, {
    status: ['ACTIVE', 'REVOKED', 'LOGGED_OUT', 'EXPIRED'],
  });
  const each = await Promise.all(ids.map((id) => w.manager.get(id)));
  const devices = await w.manager.listDevices(userId);
  return JSON.stringify([listed, each, devices]);
}

// Printable ASCII: header values must be ByteStrings without CR/LF.
export const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

export const operatorValues = [
  '{"$ne":null}',
  '{"$gt":""}',
  '{"$where":"1"}',
  '[{"$ne":null}]',
  '["a","b"]',
  'null',
  'undefined',
  'true',
  'TRUE',
  '1',
  '*',
  '.*',
  '%00',
  '\u0000',
  '__proto__',
  "' OR '1'='1",
  '../../etc/passwd',
];

export const operatorKeys = [
  'sessionId',
  'revokeAll',
  'sessionId[$ne]',
  'sessionId[$gt]',
  'sessionId[]',
  'sessionId[0]',
  'revokeAll[$ne]',
  'deviceId',
  'deviceId[$ne]',
  'deviceId[]',
  'userId',
  'user[id]',
  '__proto__',
  'constructor',
  'prototype',
  'SESSIONID',
  '',
];

// Session ids differ per world: arbitraries use these stand-ins, replaced per run.
export const REFS = ['ALICE0ID', 'ALICE1ID', 'ALICE2ID', 'BOB0ID', 'BOB1ID'] as const;
/** The same for known-device ids: Alice's three, then Bob's two. */
export const DEVICE_REFS = ['ALICEDEV0', 'ALICEDEV1', 'ALICEDEV2', 'BOBDEV0', 'BOBDEV1'] as const;

/** Replaces the stand-ins with this world's ids. */
export function resolve(w: World, text: string): string {
  const ids = [...w.alice, ...w.bob];
  const devices = [...w.aliceDevices, ...w.bobDevices];
  const sessions = REFS.reduce((out, ref, i) => out.replaceAll(ref, ids[i] ?? ''), text);
  return DEVICE_REFS.reduce((out, ref, i) => out.replaceAll(ref, devices[i] ?? ''), sessions);
}

export function queryArbitrary() {
  const key = fc.oneof(fc.constantFrom(...operatorKeys), fc.string({ maxLength: 12 }));
  const value = fc.oneof(
    fc.constantFrom(...REFS, ...DEVICE_REFS, ...operatorValues, ''),
    fc.string({ maxLength: 40 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{26,30}$/),
    // Oversized values.
    fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'A'.repeat(n)),
    fc.constantFrom('BOB0ID,BOB0ID', 'BOB1ID ALICE0ID', 'bob0id', 'BOBDEV0 ', 'bobdev0'),
  );
  const pairs = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((entries) => {
    const params = new URLSearchParams();
    for (const [k, v] of entries) params.append(k, v);
    const s = params.toString();
    return s === '' ? '' : `?${s}`;
  });
  // Raw query strings: broken percent-encoding, repeated separators, fragments.
  const raw = fc
    .oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom(
        'sessionId=%E0%A4%A',
        'sessionId=%',
        '&&&sessionId=&&',
        'sessionId&revokeAll',
        'revokeAll=true&revokeAll=true',
        'sessionId=BOB0ID&sessionId=ALICE1ID',
        `sessionId[$ne]=`,
        `sessionId[$ne]=null&revokeAll=true`,
        'revokeAll=true#x',
        'sessionId=BOB0ID%00',
        'sessionId=%42OB0ID',
        'sessionId=+BOB0ID',
        'sessionId=BOB0ID&revokeAll=true',
        'deviceId=BOBDEV0',
        'deviceId=BOBDEV0&deviceId=ALICEDEV1',
        'deviceId=ALICEDEV1&sessionId=BOB0ID',
        'deviceId[$ne]=null',
        'deviceId=BOBDEV0%00',
      ),
    )
    .map((q) => `?${encodeURI(q).replace(/%25/g, '%')}`);
  return fc.oneof(pairs, raw);
}

export const hugeHeader = fc.integer({ min: 8_000, max: 100_000 }).map((n) => 'x'.repeat(n));

export function headersArbitrary() {
  return fc.record(
    {
      origin: fc.oneof(
        fc.constantFrom(
          APP,
          'https://evil.example',
          'null',
          'https://app.example.com.evil.example',
          'app.example.com',
          'https://app.example.com:443',
          `${APP}, https://evil.example`,
          '',
        ),
        printable,
        hugeHeader.map((x) => `https://${x}.example`),
      ),
      'sec-fetch-site': fc.constantFrom(
        'same-origin',
        'same-site',
        'cross-site',
        'none',
        'CROSS-SITE',
        ' cross-site ',
        '',
      ),
      host: fc.oneof(
        fc.constantFrom(
          'app.example.com',
          'evil.example',
          'app.example.com:3000',
          'app.example.com, evil.example',
          '[::1]',
          '',
        ),
        printable,
        hugeHeader,
      ),
      'x-forwarded-host': fc.constantFrom('app.example.com', 'evil.example', ''),
      'x-forwarded-for': fc
        .integer({ min: 1, max: 2000 })
        .map((n) =>
          Array.from({ length: n }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}`).join(', '),
        ),
      'user-agent': fc.oneof(printable, hugeHeader),
      'content-type': fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
      ),
      cookie: fc.constantFrom('next-auth.session-token=forged', `sessionkit=${'A'.repeat(71)}`),
      'x-http-method-override': fc.constantFrom('DELETE', 'GET', 'PUT'),
    },
    { requiredKeys: [] },
  );
}

export function bodyArbitrary() {
  return fc.option(
    fc.oneof(
      fc.constantFrom(
        JSON.stringify({ sessionId: 'BOB0ID' }),
        JSON.stringify({ userId: 'bob', revokeAll: true }),
        JSON.stringify({ sessionId: { $ne: null } }),
        '{"__proto__":{"admin":true}}',
        '{',
      ),
      fc.json(),
    ),
    { nil: undefined },
  );
}

/** Who getSession() says is calling: mostly Alice, sometimes forged or signed out. */
export function callers(w: World): (TrackedSessionLike | null)[] {
  return [
    { sessionId: w.alice[0], user: { id: 'alice' } },
    { sessionId: w.alice[0], user: { id: 'alice' } },
    { sessionId: w.bob[0], user: { id: 'alice' } }, // a forged session naming Bob's session id
    { sessionId: w.alice[0], user: { id: 'bob' } },
    { sessionId: w.alice[0], user: null },
    { sessionId: '{"$ne":null}', user: { id: 'alice' } },
    null,
  ];
}

export async function checkResponse(w: World, status: number, text: string, bobBefore: string) {
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
  expect(() => JSON.parse(text)).not.toThrow();
  expect(w.secrets.leaksIn(text)).toEqual([]);
  expect(await snapshot(w, 'bob', w.bob)).toBe(bobBefore);
}

/** Whether the browser would call this request cross-site, for the headers the fuzz uses. */
export function crossSite(headers: Record<string, string | undefined>): boolean {
  if (headers['sec-fetch-site']?.trim().toLowerCase() === 'cross-site') return true;
  const origin = headers.origin;
  if (origin === 'null' || origin === 'https://app.example.com.evil.example') return true;
  if (origin !== 'https://evil.example') return false;
  // Allowed only when the proxy or Host say the browser addressed evil.example.
  const hosts = [headers['x-forwarded-host'], headers.host].map((h) =>
    h?.split(',')[0]?.trim().toLowerCase(),
  );
  return !hosts.includes('evil.example');
}
