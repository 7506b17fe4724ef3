import { Cluster, Command, Redis } from 'ioredis';
import { Command as Command6, Redis as Redis6 } from 'ioredis6';
import { describe, expect, it } from 'vitest';
import { commandClassOf } from './command-class.js';

// The direct path needs ioredis's Command class without importing ioredis; it
// is read off the client. No server needed: the probe does no I/O (lazyConnect
// clients that never connect).

describe('commandClassOf', () => {
  it('finds the Command class of the ioredis copy the client comes from (5 and 6)', () => {
    const five = new Redis({ lazyConnect: true });
    const six = new Redis6({ lazyConnect: true });
    expect(commandClassOf(five)).toBe(Command);
    expect(commandClassOf(six)).toBe(Command6);
    expect(Command6).not.toBe(Command);
    // Nothing was sent or queued, and the client did not start connecting.
    expect(five.status).toBe('wait');
    expect((five as unknown as { offlineQueue: { length: number } }).offlineQueue.length).toBe(0);
  });

  it('reads the prototype, so a Proxy that forwards to the real client sends nothing', () => {
    const inner = new Redis({ lazyConnect: true });
    let forwarded = 0;
    const proxy = new Proxy(inner, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          forwarded++;
          return value.apply(target, args);
        };
      },
    });
    expect(commandClassOf(proxy)).toBe(Command);
    expect(forwarded).toBe(0);
  });

  it('is null for anything whose get does not build a Command', () => {
    expect(commandClassOf({})).toBeNull();
    expect(commandClassOf(Object.create(null))).toBeNull();
    expect(commandClassOf({ get: () => Promise.resolve(null) })).toBeNull();
    expect(
      commandClassOf({
        get() {
          throw new Error('not ioredis');
        },
      }),
    ).toBeNull();
    // A Cluster builds Commands too; the gate never asks for one (it routes by slot).
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    expect(commandClassOf(cluster)).toBe(Command);
  });
});
