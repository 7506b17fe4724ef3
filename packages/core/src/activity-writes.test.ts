import { describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { MINUTE } from './options.js';
import { createSessionManager } from './session-manager.js';
import type { SessionStore, TouchUpdate } from './session-store.js';
import { createTestClock } from './testing/fixtures.js';

/** The memory store with touch() held until the test releases (or fails) it. */
function slowTouchStore() {
  const inner = createMemoryStore();
  const pending: { settle: (fail: boolean) => void; done: Promise<boolean> }[] = [];
  const store: SessionStore = {
    ...inner,
    touch(sessionId: string, update: TouchUpdate) {
      let settle!: (fail: boolean) => void;
      const done = new Promise<boolean>((resolve, reject) => {
        settle = (fail) =>
          fail
            ? reject(
                new Error('ETIMEDOUT touching sk:{x}:s:Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eHh4eHh4eA'),
              )
            : resolve(inner.touch(sessionId, update));
      });
      pending.push({ settle, done });
      return done;
    },
  };
  return { store, inner, pending };
}

const SECRET = 'activity-writes-test-secret-0123456789abcdef';

const settled = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);

describe('activity writes off the request path', () => {
  it('by default validate() answers without waiting for a due touch, and the write lands after', async () => {
    const clock = createTestClock();
    const { store, inner, pending } = slowTouchStore();
    const logger = { warn: vi.fn(), error: vi.fn() };
    const manager = createSessionManager({ store, now: clock.now, logger, secret: SECRET });
    const { token, session } = await manager.create({ userId: 'u1' });
    clock.advance(2 * MINUTE);

    const validated = manager.validate(token);
    expect(await settled(validated)).toBe(true); // the touch is still held
    expect(pending).toHaveLength(1);
    const answer = await validated;
    expect(answer?.id).toBe(session.id);
    expect(answer?.lastActivityAt.getTime()).toBe(clock.now());
    expect((await inner.get(session.id))?.lastActivityAt.getTime()).toBe(
      session.createdAt.getTime(),
    );

    pending[0]?.settle(false);
    await pending[0]?.done;
    await new Promise((r) => setTimeout(r, 0));
    expect((await inner.get(session.id))?.lastActivityAt.getTime()).toBe(clock.now());
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('a failed background write is logged, redacted, and never turns the session invalid', async () => {
    const clock = createTestClock();
    const { store, pending } = slowTouchStore();
    const logger = { warn: vi.fn(), error: vi.fn() };
    const manager = createSessionManager({ store, now: clock.now, logger, secret: SECRET });
    const { token, session } = await manager.create({ userId: 'u1' });
    clock.advance(2 * MINUTE);

    expect((await manager.validate(token))?.id).toBe(session.id);
    pending[0]?.settle(true);
    await pending[0]?.done.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const message = String(logger.warn.mock.calls[0]?.[0]);
    expect(message).toMatch(/background activity write failed; the session stays valid/);
    expect(message).not.toContain(token);
    expect(message).not.toContain('Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eHh4eHh4eA');

    // Still valid on the next request; the next due touch is tried again.
    expect((await manager.validate(token))?.id).toBe(session.id);
    expect(pending).toHaveLength(2);
    pending[1]?.settle(false);
  });

  it('hands the write to waitUntil (e.g. Next after()) when given', async () => {
    const clock = createTestClock();
    const store = createMemoryStore();
    const manager = createSessionManager({ store, now: clock.now });
    const { token, session } = await manager.create({ userId: 'u1' });
    clock.advance(2 * MINUTE);
    const waitUntil = vi.fn();
    await manager.validate(token, { waitUntil });
    expect(waitUntil).toHaveBeenCalledTimes(1);
    await waitUntil.mock.calls[0]?.[0];
    expect((await store.get(session.id))?.lastActivityAt.getTime()).toBe(clock.now());

    // No write due within touchInterval: nothing scheduled.
    await manager.validate(token, { waitUntil });
    expect(waitUntil).toHaveBeenCalledTimes(1);
  });

  it("activityWrites: 'await' (and the idleTimeout default) waits for the write; touch() always does", async () => {
    for (const options of [
      { activityWrites: 'await' as const },
      { idleTimeout: 60 * MINUTE },
      {},
    ]) {
      const clock = createTestClock();
      const { store, pending } = slowTouchStore();
      const manager = createSessionManager({ store, now: clock.now, ...options });
      const { token } = await manager.create({ userId: 'u1' });
      clock.advance(2 * MINUTE);
      const awaited = 'activityWrites' in options || 'idleTimeout' in options;
      const call = awaited ? manager.validate(token) : manager.touch(token);
      expect(await settled(call)).toBe(false);
      pending[0]?.settle(false);
      expect(await call).toBeTruthy();
    }
  });

  it('refuses an unknown activityWrites value', () => {
    expect(() =>
      createSessionManager({
        store: createMemoryStore(),
        activityWrites: 'later' as 'await',
      }),
    ).toThrow(/activityWrites must be 'background' or 'await'/);
  });
});
