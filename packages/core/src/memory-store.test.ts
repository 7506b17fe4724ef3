import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { DAY } from './options.js';
import { createSessionManager } from './session-manager.js';
import { createTestClock } from './testing/fixtures.js';
import { runStoreConformanceTests } from './testing/index.js';

// The memory store's database is its own map of record copies: get() reads it back as stored.
runStoreConformanceTests('memory', ({ now }) => createMemoryStore({ now }), {
  readBack: (store) => ({ rawSession: (id) => store.get(id) }),
});

describe('memory store extras', () => {
  it('purges ended sessions once their history retention passes', async () => {
    const clock = createTestClock();
    const store = createMemoryStore({ now: clock.now });
    const manager = createSessionManager({ store, now: clock.now, historyRetention: DAY });
    const { session } = await manager.create({ userId: 'u' });
    await manager.revoke(session.id);
    clock.advance(DAY - 1);
    expect(await manager.history('u')).toHaveLength(1);
    clock.advance(1);
    expect(await store.get(session.id)).toBeNull();
    expect(await manager.history('u')).toEqual([]);
  });

  it('cleanup() marks expired sessions and purges those past retention', async () => {
    const clock = createTestClock();
    const store = createMemoryStore({ now: clock.now });
    const manager = createSessionManager({
      store,
      now: clock.now,
      expiresIn: DAY,
      historyRetention: DAY,
    });
    const expired: string[] = [];
    manager.on('expired', ({ session }) => {
      expired.push(session.id);
    });
    const a = await manager.create({ userId: 'u' });
    clock.advance(DAY);
    expect(await manager.cleanup()).toBe(1);
    expect(expired).toEqual([a.session.id]);
    expect((await store.get(a.session.id))?.status).toBe('EXPIRED');
    clock.advance(DAY);
    expect(await manager.cleanup()).toBe(1);
    expect(await store.get(a.session.id)).toBeNull();
  });
});
