import {
  createMemoryStore,
  createSessionManager,
  HOUR,
  SignInVerificationRequiredError,
} from '@sessionkit/core';
import { describe, expect, it } from 'vitest';
import { requireVerifiedSession } from './challenge.js';
import { readSessionClaim, SESSION_CLAIM, shapeSession, withChallenge } from './claim.js';
import { createSessionRouteHandlers } from './route-handlers.js';
import { APP, read, request } from './test-utils/route-world.js';

// Issue 17 item 5: a challenged sign-in (suspiciousLogin.policy: 'challenge').
async function challengedWorld() {
  let now = Date.UTC(2026, 0, 10, 12);
  const manager = createSessionManager({
    store: createMemoryStore({ now: () => now }),
    now: () => now,
    logger: { warn() {}, error() {} },
    // Every sign-in after the first within an hour is risky (a burst of 2).
    suspiciousLogin: {
      policy: 'challenge',
      newCountry: false,
      maxTravelSpeedKmh: false,
      burst: { maxLogins: 1, windowMs: HOUR },
    },
  });
  const first = await manager.create({ userId: 'alice' });
  now += 1000;
  const risky = await manager.create({ userId: 'alice' });
  const caller = { sessionId: risky.session.id, user: { id: 'alice' } };
  const handlers = createSessionRouteHandlers({ manager, getSession: async () => caller });
  return { manager, first, risky, handlers };
}

describe('challenge on a risky sign-in (next-auth)', () => {
  it('revokeAll and revoking another session answer 403 SIGN_IN_VERIFICATION_REQUIRED until markVerified()', async () => {
    const { manager, first, risky, handlers } = await challengedWorld();
    expect(risky.session.verificationRequired).toBe(true);
    const all = await read(
      await handlers.DELETE(request('/api/sessions', 'DELETE', '?revokeAll=true', { origin: APP })),
    );
    expect(all.status).toBe(403);
    expect(all.body).toMatchObject({ error: { code: 'SIGN_IN_VERIFICATION_REQUIRED' } });
    const one = await read(
      await handlers.DELETE(request('/api/sessions', 'DELETE', `?sessionId=${first.session.id}`)),
    );
    expect(one.status).toBe(403);
    expect((await manager.list('alice')).length).toBe(2);
    // Listing and signing out this very device stay allowed.
    expect((await handlers.GET(request('/api/sessions', 'GET'))).status).toBe(200);

    await manager.markVerified(risky.session.id, { method: 'totp', userId: 'alice' });
    const after = await read(
      await handlers.DELETE(request('/api/sessions', 'DELETE', '?revokeAll=true')),
    );
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ revoked: 1 });
  });

  it('the claim carries the flag to session.verificationRequired, and drops it once verified', () => {
    const claim = {
      id: 'sid',
      token: 'secret-token',
      userId: 'alice',
      expiresAt: '2026-02-01T00:00:00.000Z',
    };
    const pending = withChallenge(claim, { verificationRequired: true });
    expect(readSessionClaim({ [SESSION_CLAIM]: pending })?.verificationRequired).toBe(true);
    const shaped = shapeSession({ user: { name: 'A' } }, pending).session;
    expect(shaped.verificationRequired).toBe(true);
    expect(JSON.stringify(shaped)).not.toContain('secret-token');
    const cleared = withChallenge(pending, {});
    expect(cleared.verificationRequired).toBeUndefined();
    expect(shapeSession({}, cleared).session.verificationRequired).toBeUndefined();
  });

  it('requireVerifiedSession throws SignInVerificationRequiredError only while pending', () => {
    expect(() => requireVerifiedSession({ verificationRequired: true })).toThrow(
      SignInVerificationRequiredError,
    );
    expect(() => requireVerifiedSession({})).not.toThrow();
    expect(() => requireVerifiedSession(null)).not.toThrow();
  });
});
