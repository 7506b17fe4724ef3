// Hostile requests against the newer handlers: the known-device API
// (createDeviceRouteHandlers) and the session API with step-up verification
// (createSessionRouteHandlers({ requireRecentVerification })).
import { createDeviceRouteHandlers, createSessionRouteHandlers } from '@sessionkit/next-auth';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APP,
  callers,
  checkResponse,
  crossSite,
  DEVICE_REFS,
  headersArbitrary,
  queryArbitrary,
  resolve,
  snapshot,
  type World,
  world,
} from './support/route-fuzz.js';

const DEVICES = '/api/sessions/devices';
const MINUTE = 60_000;
const MAX_AGE = 5 * MINUTE;

/** The sessions part of {@link snapshot} (without the known devices). */
async function sessionsOf(w: World, userId: string, ids: string[]): Promise<string> {
  return JSON.stringify((JSON.parse(await snapshot(w, userId, ids)) as unknown[]).slice(0, 2));
}

// Request headers a same-origin page sends, or none (a server-side call).
const SAME_SITE: Record<string, string>[] = [
  {},
  { origin: APP },
  { origin: APP, 'sec-fetch-site': 'same-origin' },
];
const CROSS_SITE: Record<string, string>[] = [
  { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
  { origin: 'null' },
  { 'sec-fetch-site': 'cross-site' },
];

async function aliceDeviceIds(w: World): Promise<string[]> {
  return (await w.manager.listDevices('alice')).map((d) => d.id).sort();
}

describe('device route handlers under hostile input (fast-check)', () => {
  it('GET/DELETE with arbitrary methods, queries and headers never give a 5xx, never touch another user’s sessions or devices, never show a token or hash; cross-site DELETE is 403', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'DELETE' as const),
        fc.constantFrom('GET', 'DELETE', 'HEAD', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'X-CUSTOM'),
        fc.oneof(
          queryArbitrary(),
          // Well-formed requests too, so the property also sees devices forgotten.
          fc.constantFrom(...DEVICE_REFS).map((ref) => `?deviceId=${ref}`),
        ),
        fc.oneof(fc.constantFrom(...SAME_SITE), headersArbitrary()),
        fc.nat(6),
        async (handlerName, requestMethod, rawQuery, headers, callerIndex) => {
          const w = await world();
          w.caller.current = callers(w)[callerIndex] ?? null;
          const handlers = createDeviceRouteHandlers({
            manager: w.manager,
            getSession: w.getSession,
          });
          const bobBefore = await snapshot(w, 'bob', w.bob);
          const aliceSessionsBefore = await sessionsOf(w, 'alice', w.alice);
          const aliceDevicesBefore = await aliceDeviceIds(w);
          const response = await handlers[handlerName](
            new Request(`${APP}${DEVICES}${resolve(w, rawQuery)}`, {
              method: requestMethod,
              headers: headers as Record<string, string>,
            }),
          );
          const text = await response.text();
          await checkResponse(w, response.status, text, bobBefore);
          expect(response.headers.get('cache-control')).toBe('no-store');
          if (handlerName === 'DELETE' && crossSite(headers)) expect(response.status).toBe(403);

          // Forgetting a device never signs anything out, not even Alice's own sessions.
          expect(await sessionsOf(w, 'alice', w.alice)).toBe(aliceSessionsBefore);

          const aliceDevicesAfter = await aliceDeviceIds(w);
          if (response.status === 200 && handlerName === 'GET') {
            // Only the caller's (Alice's) devices, never Bob's.
            const listed = (JSON.parse(text) as { devices: { id: string }[] }).devices;
            expect(listed.map((d) => d.id).sort()).toEqual(aliceDevicesBefore);
          }
          if (response.status === 200 && handlerName === 'DELETE') {
            // Exactly one of Alice's devices went away.
            expect(JSON.parse(text)).toEqual({ forgotten: 1 });
            expect(aliceDevicesAfter.length).toBe(aliceDevicesBefore.length - 1);
            expect(aliceDevicesBefore).toEqual(expect.arrayContaining(aliceDevicesAfter));
          } else {
            expect(aliceDevicesAfter).toEqual(aliceDevicesBefore);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("DELETE of another user's device id answers 404 exactly like an unknown id and forgets nothing", async () => {
    const w = await world();
    const handlers = createDeviceRouteHandlers({ manager: w.manager, getSession: w.getSession });
    const bobBefore = await snapshot(w, 'bob', w.bob);
    const aliceBefore = await aliceDeviceIds(w);
    const theirs = await handlers.DELETE(
      new Request(`${APP}${DEVICES}?deviceId=${w.bobDevices[0]}`, { method: 'DELETE' }),
    );
    const unknown = await handlers.DELETE(
      new Request(`${APP}${DEVICES}?deviceId=${'A'.repeat(22)}`, { method: 'DELETE' }),
    );
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).toBe(await unknown.text());
    expect(unknown.status).toBe(404);
    expect(await snapshot(w, 'bob', w.bob)).toBe(bobBefore);
    expect(await aliceDeviceIds(w)).toEqual(aliceBefore);

    // The same request for Alice's own device does forget it: the 404 above is not vacuous.
    const own = await handlers.DELETE(
      new Request(`${APP}${DEVICES}?deviceId=${w.aliceDevices[1]}`, { method: 'DELETE' }),
    );
    expect(own.status).toBe(200);
    expect(await aliceDeviceIds(w)).toEqual(aliceBefore.filter((id) => id !== w.aliceDevices[1]));
  });
});

type Step =
  | { kind: 'advance'; ms: number }
  | { kind: 'verify'; who: 'current' | 'other-own' | 'bob-session' }
  | { kind: 'revokeAll'; headers: Record<string, string> }
  | { kind: 'revoke'; target: 1 | 2 | 'bob'; headers: Record<string, string> };

function stepArbitrary(): fc.Arbitrary<Step> {
  const headers = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...SAME_SITE) },
    { weight: 1, arbitrary: fc.constantFrom(...CROSS_SITE) },
    {
      weight: 1,
      arbitrary: headersArbitrary().map((h) => h as Record<string, string>),
    },
  );
  return fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.integer({ min: 0, max: 2 * MINUTE }),
          fc.integer({ min: MAX_AGE - 2000, max: MAX_AGE + 2000 }),
          fc.integer({ min: MAX_AGE, max: 60 * MINUTE }),
        )
        .map((ms): Step => ({ kind: 'advance', ms })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('current' as const, 'other-own' as const, 'bob-session' as const)
        .map((who): Step => ({ kind: 'verify', who })),
    },
    { weight: 2, arbitrary: headers.map((h): Step => ({ kind: 'revokeAll', headers: h })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(1 as const, 2 as const, 'bob' as const), headers)
        .map(([target, h]): Step => ({ kind: 'revoke', target, headers: h })),
    },
  );
}

describe('step-up verification on the session API (fast-check)', () => {
  it('revokeAll and revoke of another session succeed only within maxAge of a markVerified of the caller’s own session, and always do then; never touch another user; cross-site is 403', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArbitrary(), { minLength: 1, maxLength: 14 }),
        async (steps) => {
          const w = await world();
          const handlers = createSessionRouteHandlers({
            manager: w.manager,
            getSession: w.getSession,
            requireRecentVerification: { revokeAll: MAX_AGE, revoke: MAX_AGE },
            now: () => w.clock.now,
          });
          const bobBefore = await snapshot(w, 'bob', w.bob);
          // The model: when the caller's own session last passed a step-up.
          let verifiedAt: number | null = null;

          for (const step of steps) {
            if (step.kind === 'advance') {
              w.clock.now += step.ms;
              continue;
            }
            if (step.kind === 'verify') {
              const target =
                step.who === 'current'
                  ? w.alice[0]
                  : step.who === 'other-own'
                    ? w.alice[1]
                    : w.bob[0];
              const marked = await w.manager.markVerified(target ?? '', {
                method: 'totp',
                userId: 'alice',
              });
              if (step.who === 'current') {
                expect(marked?.verification?.method).toBe('totp');
                verifiedAt = w.clock.now;
              }
              // Alice cannot mark Bob's session (and marking her other session is not the caller's).
              if (step.who === 'bob-session') expect(marked).toBeNull();
              continue;
            }

            const age = verifiedAt === null ? Number.POSITIVE_INFINITY : w.clock.now - verifiedAt;
            const fresh = age <= MAX_AGE - 1000;
            const stale = age > MAX_AGE + 1000;
            const target =
              step.kind === 'revokeAll'
                ? null
                : step.target === 'bob'
                  ? (w.bob[0] ?? '')
                  : (w.alice[step.target] ?? '');
            const query = target === null ? 'revokeAll=true' : `sessionId=${target}`;
            const aliceBefore = await snapshot(w, 'alice', w.alice);
            const targetBefore = target === null ? null : await w.manager.get(target);
            const activeOthers = (await w.manager.list('alice')).filter((s) => s.id !== w.alice[0]);

            const response = await handlers.DELETE(
              new Request(`${APP}/api/sessions?${query}`, {
                method: 'DELETE',
                headers: step.headers,
              }),
            );
            const text = await response.text();
            await checkResponse(w, response.status, text, bobBefore);
            const body = JSON.parse(text) as { error?: { code: string }; revoked?: number };

            if (crossSite(step.headers)) expect(response.status).toBe(403);
            // Safety: without a fresh verification nothing is revoked.
            if (stale || response.status !== 200) {
              expect(await snapshot(w, 'alice', w.alice)).toBe(aliceBefore);
            }
            if (stale) {
              expect(response.status).toBe(403);
              if (!crossSite(step.headers) && SAME_SITE.includes(step.headers)) {
                expect(body.error?.code).toBe('VERIFICATION_REQUIRED');
              }
            }
            // Liveness: a fresh verification lets a same-origin request through.
            if (fresh && SAME_SITE.includes(step.headers)) {
              if (step.kind === 'revokeAll' || target === null) {
                expect(response.status).toBe(200);
                expect(body.revoked).toBe(activeOthers.length);
                expect((await w.manager.list('alice')).map((s) => s.id)).toEqual([w.alice[0]]);
              } else if (step.target === 'bob' || targetBefore?.status !== 'ACTIVE') {
                expect(response.status).toBe(404); // not hers, or already ended
              } else {
                expect(response.status).toBe(200);
                expect((await w.manager.get(target))?.status).toBe('REVOKED');
              }
            }
          }
          // The caller's own session is never ended by these steps.
          expect((await w.manager.get(w.alice[0] ?? ''))?.status).toBe('ACTIVE');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('without any markVerified, revokeAll and revoke of another session are 403 VERIFICATION_REQUIRED; right after markVerified they succeed', async () => {
    const w = await world();
    const handlers = createSessionRouteHandlers({
      manager: w.manager,
      getSession: w.getSession,
      requireRecentVerification: { revokeAll: MAX_AGE, revoke: MAX_AGE },
      now: () => w.clock.now,
    });
    const del = (query: string) =>
      handlers.DELETE(new Request(`${APP}/api/sessions?${query}`, { method: 'DELETE' }));
    const aliceBefore = await snapshot(w, 'alice', w.alice);
    for (const query of ['revokeAll=true', `sessionId=${w.alice[1]}`]) {
      const response = await del(query);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'VERIFICATION_REQUIRED',
      );
    }
    expect(await snapshot(w, 'alice', w.alice)).toBe(aliceBefore);
    // A verification of another of Alice's sessions is not the caller's.
    await w.manager.markVerified(w.alice[1] ?? '', { method: 'totp', userId: 'alice' });
    expect((await del('revokeAll=true')).status).toBe(403);
    expect((await w.manager.list('alice')).length).toBe(3);

    await w.manager.markVerified(w.alice[0] ?? '', { method: 'totp', userId: 'alice' });
    expect((await del(`sessionId=${w.alice[1]}`)).status).toBe(200);
    expect(await (await del('revokeAll=true')).json()).toEqual({ revoked: 1 });

    // Stale again after maxAge.
    const third = await w.manager.create({ userId: 'alice' });
    w.clock.now += MAX_AGE + 1;
    expect((await del(`sessionId=${third.session.id}`)).status).toBe(403);
    expect((await w.manager.get(third.session.id))?.status).toBe('ACTIVE');
  });
});
