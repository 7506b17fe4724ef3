import { createMemoryStore, type SessionStore } from '@sessionkit/core';

/** A memory store that can be switched off: every call then rejects, like an unreachable database. */
export function createSwitchableStore(now?: () => number): {
  store: SessionStore;
  setDown(down: boolean): void;
} {
  const inner = createMemoryStore(now ? { now } : {});
  let down = false;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
        return value.apply(target, args);
      };
    },
  });
  return {
    store,
    setDown: (d) => {
      down = d;
    },
  };
}
