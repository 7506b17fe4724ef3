import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { createSessionManager } from '../session-manager.js';
import type {
  EndAllResult,
  EndTransition,
  FederatedMatch,
  Liveness,
  PageCursor,
  SessionOrigin,
  SessionRecord,
  SessionStore,
} from '../session-store.js';
import {
  CAPS,
  createTestClock,
  liveness,
  makeRecord,
  NO_GUARD,
  type StoreFactory,
  type TestClock,
  transition,
  uniqueUser,
} from './fixtures.js';

// Conformance of the federated sign-out methods (issue 16): linkOrigin,
// getOrigin and endFederated, and the manager's endFederatedSessions over them.

const NO_BOUND = new Date(8.64e15);

/** Runs endFederated batch after batch, as the manager does; returns every ended record and the batches. */
async function endAllFederated(
  store: SessionStore,
  match: FederatedMatch,
  end: EndTransition,
  options: { liveness: Liveness; createdAtOrBefore?: Date; limit?: number },
): Promise<{ ended: SessionRecord[]; batches: number }> {
  const ended: SessionRecord[] = [];
  let batches = 0;
  let after: PageCursor | null = null;
  do {
    const batch: EndAllResult = await store.endFederated(match, end, {
      liveness: options.liveness,
      createdAtOrBefore: options.createdAtOrBefore ?? NO_BOUND,
      limit: options.limit ?? 100,
      after,
    });
    batches++;
    expect(batch.ended.length).toBeLessThanOrEqual(options.limit ?? 100);
    ended.push(...batch.ended);
    after = batch.next;
  } while (after !== null && batches < 1000);
  return { ended, batches };
}

export function federatedContractTests(factory: StoreFactory): void {
  let clock: TestClock;
  let store: SessionStore;
  let user: string;
  let issuer: string;

  beforeEach(async () => {
    clock = createTestClock();
    store = await factory({ now: () => clock.now() });
    user = uniqueUser();
    // A unique issuer per test keeps suites that share one database apart.
    issuer = `https://idp.example/${uniqueUser('realm')}`;
  });

  const origin = (overrides: Partial<SessionOrigin> = {}): SessionOrigin => ({
    providerId: 'keycloak',
    issuer,
    subject: 'sub-alice',
    sid: 'sid-1',
    idToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdWItYWxpY2UifQ.c2lnbmF0dXJl',
    ...overrides,
  });

  const linked = async (
    o: SessionOrigin,
    userId = user,
    overrides: Partial<SessionRecord> = {},
  ) => {
    const { record } = makeRecord(clock, { userId, ...overrides });
    await store.create(record, null, CAPS);
    expect(await store.linkOrigin(record.id, o, liveness(clock))).toBe(true);
    return record;
  };

  const bySid = (sid: string, subject: string | null = null): FederatedMatch => ({
    issuer,
    sid,
    subject,
  });
  const bySub = (subject: string): FederatedMatch => ({ issuer, sid: null, subject });
  const idp = () => transition(clock, 'REVOKED', 'idp_logout');

  describe('linkOrigin() and getOrigin()', () => {
    it('keeps the origin beside the record: get() returns the record unchanged', async () => {
      const { record } = makeRecord(clock, { userId: user });
      await store.create(record, null, CAPS);
      expect(await store.linkOrigin(record.id, origin(), liveness(clock))).toBe(true);
      expect(await store.getOrigin(record.id)).toEqual(origin());
      expect(await store.get(record.id)).toEqual(record);
    });

    it('round-trips an origin without sid or ID token', async () => {
      const o = origin({ sid: null, idToken: null });
      const record = await linked(o);
      expect(await store.getOrigin(record.id)).toEqual(o);
    });

    it('writes nothing for an unknown, ended or expired session', async () => {
      const { record: unknown } = makeRecord(clock, { userId: user });
      expect(await store.linkOrigin(unknown.id, origin(), liveness(clock))).toBe(false);
      expect(await store.getOrigin(unknown.id)).toBeNull();

      const { record: ended } = makeRecord(clock, { userId: user });
      await store.create(ended, null, CAPS);
      await store.end(ended.id, transition(clock), NO_GUARD);
      expect(await store.linkOrigin(ended.id, origin(), liveness(clock))).toBe(false);
      expect(await store.getOrigin(ended.id)).toBeNull();

      const { record: expired } = makeRecord(clock, {
        userId: user,
        expiresAt: new Date(clock.now() + 1000),
      });
      await store.create(expired, null, CAPS);
      clock.advance(2000);
      expect(await store.linkOrigin(expired.id, origin(), liveness(clock))).toBe(false);
      expect(
        (await endAllFederated(store, bySid('sid-1'), idp(), { liveness: liveness(clock) })).ended,
      ).toEqual([]);
    });

    it('getOrigin() is null once the session ended', async () => {
      const record = await linked(origin());
      await store.end(record.id, transition(clock), NO_GUARD);
      expect(await store.getOrigin(record.id)).toBeNull();
    });

    it('a second link replaces the first: the old provider session no longer ends it', async () => {
      const record = await linked(origin({ sid: 'sid-old' }));
      expect(await store.linkOrigin(record.id, origin({ sid: 'sid-new' }), liveness(clock))).toBe(
        true,
      );
      const old = await endAllFederated(store, bySid('sid-old'), idp(), {
        liveness: liveness(clock),
      });
      expect(old.ended).toEqual([]);
      const current = await endAllFederated(store, bySid('sid-new'), idp(), {
        liveness: liveness(clock),
      });
      expect(current.ended.map((r) => r.id)).toEqual([record.id]);
    });
  });

  describe('endFederated()', () => {
    it('by sid: ends exactly the sessions of that provider session, with the transition', async () => {
      const a = await linked(origin({ sid: 'sid-1' }));
      const b = await linked(origin({ sid: 'sid-1' }));
      const other = await linked(origin({ sid: 'sid-2' }));
      const { record: plain } = makeRecord(clock, { userId: user });
      await store.create(plain, null, CAPS);
      const end = idp();
      const { ended } = await endAllFederated(store, bySid('sid-1'), end, {
        liveness: liveness(clock),
      });
      expect(ended.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
      for (const r of ended) {
        expect(r).toMatchObject({
          status: 'REVOKED',
          endReason: 'idp_logout',
          endedAt: end.endedAt,
        });
        expect(r.userId).toBe(user);
      }
      expect((await store.get(a.id))?.status).toBe('REVOKED');
      expect((await store.get(other.id))?.status).toBe('ACTIVE');
      expect((await store.get(plain.id))?.status).toBe('ACTIVE');
      // A second delivery of the same logout finds nothing left to end.
      const again = await endAllFederated(store, bySid('sid-1'), idp(), {
        liveness: liveness(clock),
      });
      expect(again.ended).toEqual([]);
    });

    it('by subject: every session of that subject at that issuer, across app users, and no other issuer', async () => {
      const a = await linked(origin({ sid: 'sid-1' }));
      const b = await linked(origin({ sid: 'sid-2' }), uniqueUser('linked'));
      const c = await linked(origin({ sid: null }));
      const elsewhere = await linked(origin({ issuer: `${issuer}-other`, sid: 'sid-1' }));
      const bob = await linked(origin({ subject: 'sub-bob', sid: 'sid-9' }));
      const { ended } = await endAllFederated(store, bySub('sub-alice'), idp(), {
        liveness: liveness(clock),
      });
      expect(ended.map((r) => r.id).sort()).toEqual([a.id, b.id, c.id].sort());
      expect((await store.get(elsewhere.id))?.status).toBe('ACTIVE');
      expect((await store.get(bob.id))?.status).toBe('ACTIVE');
    });

    it('sid and subject together: a session of that sid but another subject is left alone', async () => {
      const alice = await linked(origin({ sid: 'shared-sid' }));
      const mallory = await linked(origin({ subject: 'sub-mallory', sid: 'shared-sid' }));
      const { ended } = await endAllFederated(store, bySid('shared-sid', 'sub-alice'), idp(), {
        liveness: liveness(clock),
      });
      expect(ended.map((r) => r.id)).toEqual([alice.id]);
      expect((await store.get(mallory.id))?.status).toBe('ACTIVE');
    });

    it('skips sessions created after the logout began, and sessions no longer live', async () => {
      const early = await linked(origin());
      const late = await linked(origin(), user, { createdAt: new Date(clock.now() + 60_000) });
      const idle = await linked(origin(), user);
      const ended = await endAllFederated(store, bySid('sid-1'), idp(), {
        liveness: { now: new Date(clock.now()), idleTimeoutMs: null },
        createdAtOrBefore: new Date(early.createdAt.getTime()),
      });
      expect(ended.ended.map((r) => r.id)).toEqual([early.id]);
      expect((await store.get(late.id))?.status).toBe('ACTIVE');
      // Idle past the timeout: not live, so not relabelled as a provider logout.
      clock.advance(10_000);
      const idleRun = await endAllFederated(store, bySid('sid-1'), idp(), {
        liveness: { now: new Date(clock.now()), idleTimeoutMs: 5_000 },
      });
      expect(idleRun.ended).toEqual([]);
      expect((await store.get(idle.id))?.status).toBe('ACTIVE');
    });

    it('works in bounded batches: every linked session ends exactly once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await linked(origin({ sid: `sid-${i}` }))).id);
      const { ended, batches } = await endAllFederated(store, bySub('sub-alice'), idp(), {
        liveness: liveness(clock),
        limit: 3,
      });
      expect(ended.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(batches).toBeGreaterThanOrEqual(3);
      for (const id of ids) expect((await store.get(id))?.endReason).toBe('idp_logout');
    });

    it('a batch is bounded: limit 1 examines at most one session', async () => {
      await linked(origin());
      await linked(origin());
      const first = await store.endFederated(bySid('sid-1'), idp(), {
        liveness: liveness(clock),
        createdAtOrBefore: NO_BOUND,
        limit: 1,
        after: null,
      });
      expect(first.ended).toHaveLength(1);
      expect(first.next).not.toBeNull();
    });

    it('ended sessions still count against the history cap of their user', async () => {
      const a = await linked(origin());
      const b = await linked(origin());
      await endAllFederated(store, bySid('sid-1'), transition(clock, 'REVOKED', 'idp_logout', 1), {
        liveness: liveness(clock),
      });
      const left = [await store.get(a.id), await store.get(b.id)].filter((r) => r !== null);
      expect(left).toHaveLength(1);
    });
  });

  describe('the manager over the store', () => {
    it('endFederatedSessions ends the linked sessions as idp_logout, emits revoked, and validate() then fails', async () => {
      const manager = createSessionManager({ store, now: () => clock.now() });
      const revoked: { id: string; reason: string }[] = [];
      manager.on('revoked', ({ session, reason }) => {
        revoked.push({ id: session.id, reason });
      });
      const one = await manager.create({ userId: user });
      const two = await manager.create({ userId: user });
      const three = await manager.create({ userId: user });
      expect(await manager.recordOrigin(one.session.id, origin({ sid: 'sid-a' }))).toBe(true);
      expect(await manager.recordOrigin(two.session.id, origin({ sid: 'sid-b' }))).toBe(true);
      expect(await manager.getOrigin(one.session.id)).toEqual(origin({ sid: 'sid-a' }));
      // The public session never shows the origin.
      expect(JSON.stringify(await manager.get(one.session.id))).not.toContain('sid-a');

      expect(await manager.endFederatedSessions({ issuer, sid: 'sid-a' })).toBe(1);
      expect(await manager.validate(one.token)).toBeNull();
      expect(await manager.validate(two.token)).not.toBeNull();
      expect(await manager.endFederatedSessions({ issuer, sub: 'sub-alice' })).toBe(1);
      expect(await manager.validate(two.token)).toBeNull();
      expect(await manager.validate(three.token)).not.toBeNull();
      expect(revoked).toEqual([
        { id: one.session.id, reason: 'idp_logout' },
        { id: two.session.id, reason: 'idp_logout' },
      ]);
      expect((await manager.get(one.session.id))?.endReason).toBe('idp_logout');
    });

    it('createdBefore: sessions created after it are left alone (a replayed Logout Token ends no later sign-in)', async () => {
      const manager = createSessionManager({ store, now: () => clock.now() });
      const before = await manager.create({ userId: user });
      await manager.recordOrigin(before.session.id, origin());
      const issuedAt = new Date(clock.now());
      clock.advance(5_000);
      const after = await manager.create({ userId: user });
      await manager.recordOrigin(after.session.id, origin());
      expect(
        await manager.endFederatedSessions({ issuer, sub: 'sub-alice', createdBefore: issuedAt }),
      ).toBe(1);
      expect(await manager.validate(before.token)).toBeNull();
      expect(await manager.validate(after.token)).not.toBeNull();
    });

    it('refuses malformed input with InvalidInputError before any store call', async () => {
      const manager = createSessionManager({ store, now: () => clock.now() });
      const { session } = await manager.create({ userId: user });
      await expect(manager.endFederatedSessions({ issuer })).rejects.toThrow(InvalidInputError);
      await expect(manager.endFederatedSessions({ issuer: '', sid: 'x' })).rejects.toThrow(
        InvalidInputError,
      );
      await expect(
        manager.recordOrigin(session.id, { ...origin(), subject: 'a\u0000b' }),
      ).rejects.toThrow(InvalidInputError);
      await expect(
        manager.recordOrigin(session.id, null as unknown as SessionOrigin),
      ).rejects.toThrow(InvalidInputError);
      await expect(manager.getOrigin('nope')).rejects.toThrow(InvalidInputError);
    });
  });
}
