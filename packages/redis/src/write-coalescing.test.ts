import { CAPS, createTestClock, makeRecord } from '@sessionkit/core/testing';
import { type RedisServer, startRedisServer } from '@sessionkit-internal/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';

// The fast path sends the commands of one tick in one socket write (the
// socket is corked for the rest of the tick): one system call instead of one
// per command, the largest client-side cost of a lookup under load.

let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis({ port: server.port, host: '127.0.0.1' });
  await new Promise((resolve) => client.once('ready', resolve));
});

afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});

interface SocketInternals {
  _write(chunk: unknown, encoding: string, callback: () => void): void;
  _writev(chunks: unknown[], callback: () => void): void;
  writableCorked: number;
}

/** Counts the writes that reach the socket's implementation (each is a system call). */
function countSocketWrites(socket: SocketInternals) {
  const counts = { writes: 0, chunks: 0 };
  const write = socket._write;
  const writev = socket._writev;
  socket._write = function (chunk, encoding, callback) {
    counts.writes++;
    counts.chunks++;
    return write.call(this, chunk, encoding, callback);
  };
  socket._writev = function (chunks, callback) {
    counts.writes++;
    counts.chunks += chunks.length;
    return writev.call(this, chunks, callback);
  };
  return {
    counts,
    restore() {
      socket._write = write;
      socket._writev = writev;
    },
  };
}

describe('the fast path coalesces the writes of one tick', () => {
  it('sends 20 lookups issued in one tick in one socket write, and each gets its own answer', async () => {
    const clock = createTestClock();
    const store = createRedisStore({ client, prefix: 'coalesce:' });
    const records = Array.from(
      { length: 20 },
      (_, i) => makeRecord(clock, { userId: `c-${i}` }).record,
    );
    for (const record of records) await store.create(record, null, CAPS);

    const socket = client.stream as unknown as SocketInternals;
    const spy = countSocketWrites(socket);
    try {
      const found = await Promise.all(records.map((r) => store.get(r.id)));
      expect(found.map((r) => r?.id)).toEqual(records.map((r) => r.id));
      expect(found.map((r) => r?.userId)).toEqual(records.map((r) => r.userId));
      // Without coalescing: one write per command (20).
      expect(spy.counts.chunks).toBe(20);
      expect(spy.counts.writes).toBe(1);
    } finally {
      spy.restore();
    }
  });

  it('holds no command past the tick it was sent in', async () => {
    const store = createRedisStore({ client, prefix: 'coalesce:' });
    const socket = client.stream as unknown as SocketInternals;
    const spy = countSocketWrites(socket);
    try {
      const pending = store.get('AAAAAAnot-a-stored-session-id');
      expect(socket.writableCorked).toBe(1);
      await new Promise<void>((resolve) => process.nextTick(resolve));
      expect(socket.writableCorked).toBe(0);
      expect(spy.counts.writes).toBe(1);
      expect(await pending).toBeNull();
    } finally {
      spy.restore();
    }
  });
});
