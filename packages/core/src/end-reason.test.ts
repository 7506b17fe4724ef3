import { describe, expect, it } from 'vitest';
import { KNOWN_END_REASONS, publicEndReason, SESSION_END_MESSAGES } from './end-reason.js';
import { createMemoryStore } from './memory-store.js';
import { createSessionManager } from './session-manager.js';
import { createSessionId, createToken } from './token.js';

describe('publicEndReason()', () => {
  it('maps each stored reason sessionkit writes to its public code', () => {
    expect(publicEndReason('revoked_by_user').code).toBe('signed_out_elsewhere');
    expect(publicEndReason('revoked_all').code).toBe('signed_out_everywhere');
    expect(publicEndReason('expired').code).toBe('expired');
    expect(publicEndReason('idle_timeout').code).toBe('inactive');
    expect(publicEndReason('session_limit')).toEqual({
      code: 'too_many_devices',
      message: 'Too many devices: your oldest session was ended.',
    });
    expect(publicEndReason('refresh_token_reuse').code).toBe('security');
    expect(publicEndReason('reported_not_me').code).toBe('security');
    expect(publicEndReason('idp_logout').code).toBe('idp_logout');
    for (const credential of [
      'password_changed',
      'email_changed',
      'mfa_changed',
      'account_deleted',
    ]) {
      expect(publicEndReason(credential).code).toBe(credential);
    }
  });

  it('an app’s own or unknown reason never reaches the client: it is the generic code', () => {
    for (const reason of ['fraud-team: card 4242 flagged', '__proto__', 'constructor', '', null]) {
      expect(publicEndReason(reason)).toEqual({
        code: 'ended',
        message: SESSION_END_MESSAGES.ended,
      });
    }
  });

  it('every known reason has a message', () => {
    for (const reason of KNOWN_END_REASONS) {
      expect(publicEndReason(reason).message).toMatch(/\.$/);
    }
  });
});

describe('validate({ onEnded })', () => {
  const setup = () => {
    let now = Date.UTC(2026, 0, 1);
    const manager = createSessionManager({
      store: createMemoryStore({ now: () => now }),
      now: () => now,
      idleTimeout: 60_000,
      secret: 'end-reason-test-secret-0123456789abcdef',
    });
    return { manager, advance: (ms: number) => (now += ms) };
  };

  it('tells the ended session’s own token why it ended', async () => {
    const { manager } = setup();
    const { session, token } = await manager.create({ userId: 'u1' });
    await manager.revoke(session.id, { reason: 'password_changed' });
    const seen: string[] = [];
    expect(await manager.validate(token, { onEnded: (e) => seen.push(e.reason) })).toBeNull();
    expect(seen).toEqual(['password_changed']);
  });

  it('reports a session that expires on this very read', async () => {
    const { manager, advance } = setup();
    const { token } = await manager.create({ userId: 'u1' });
    advance(61_000);
    const seen: string[] = [];
    expect(await manager.validate(token, { onEnded: (e) => seen.push(e.reason) })).toBeNull();
    expect(seen).toEqual(['idle_timeout']);
  });

  it('says nothing for a live session, an unknown token, or a token the session no longer holds', async () => {
    const { manager } = setup();
    const { session, token } = await manager.create({ userId: 'u1' });
    const seen: string[] = [];
    const onEnded = (e: { reason: string }) => seen.push(e.reason);
    expect(await manager.validate(token, { onEnded })).not.toBeNull();
    await manager.revoke(session.id);
    // Same session id, another token: a guess must learn nothing about the session.
    expect(await manager.validate(createToken(session.id), { onEnded })).toBeNull();
    expect(await manager.validate(createToken(createSessionId('u1')), { onEnded })).toBeNull();
    expect(seen).toEqual([]);
  });
});
