import { InvalidInputError } from '@sessionkit/core';
import mongoose, { type Connection } from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMongoIndexes } from './indexes.js';
import { createMongoStore, ensureMongoIndexes } from './mongo-store.js';
import { type FakeMongod, startFakeMongod } from './test-support/fake-mongod.js';

// checkMongoIndexes() reads `listIndexes`, here from the fake wire-protocol
// server (real driver); the real-mongod suite checks the indexes ensureMongoIndexes() builds.

let server: FakeMongod | undefined;
let connection: Connection | undefined;
afterEach(async () => {
  await connection?.close(true);
  await server?.stop();
});

async function setUp(): Promise<{ server: FakeMongod; connection: Connection }> {
  server = await startFakeMongod();
  connection = mongoose.createConnection(server.uri('idx'), {
    autoIndex: false,
    autoCreate: false,
  });
  await connection.asPromise();
  return { server, connection };
}

describe('checkMongoIndexes()', () => {
  it('reports every missing index, and throws InvalidInputError naming the fix when asked', async () => {
    const { connection } = await setUp();
    const report = await checkMongoIndexes({ connection });
    expect(report.ok).toBe(false);
    const missing = report.problems.map((p) => `${p.collection}/${p.index}`);
    expect(missing).toContain('sessionkit_sessions/expiresAt_ttl');
    expect(missing).toContain('sessionkit_sessions/status_1_lastActivityAt_1');
    expect(missing).toContain('sessionkit_sessions_locks/lockedUntil_ttl');
    expect(missing).toContain('sessionkit_sessions_devices/purgeAt_ttl');
    const error = await checkMongoIndexes({ connection, throwIfInvalid: true }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(String(error.message)).toMatch(/ensureMongoIndexes\(\)/);
  });

  it('ensureMongoIndexes() builds them; a conflicting expiresAt TTL (another historyRetention) is then reported', async () => {
    const { server, connection } = await setUp();
    await ensureMongoIndexes({ connection });
    expect((await checkMongoIndexes({ connection })).ok).toBe(true);
    // Another instance re-created the TTL index with another retention.
    const specs = server.indexes.get('sessionkit_sessions') ?? [];
    const ttl = specs.find((s) => s.name === 'expiresAt_ttl');
    if (!ttl) throw new Error('expiresAt_ttl was not built');
    ttl.expireAfterSeconds = 60;
    const report = await checkMongoIndexes({ connection });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        collection: 'sessionkit_sessions',
        index: 'expiresAt_ttl',
        kind: 'different',
        detail: expect.stringContaining('expireAfterSeconds 60 instead of 7776000'),
      }),
    ]);
  });

  it('ensureMongoIndexes() throws when an index is still wrong after its sync', async () => {
    const { server, connection } = await setUp();
    // A server on which index builds silently do nothing.
    const original = server.indexes.set.bind(server.indexes);
    server.indexes.set = (name, value) =>
      name === 'sessionkit_sessions' ? server.indexes : original(name, value);
    await expect(ensureMongoIndexes({ connection })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('ensureMongoIndexes() and checkMongoIndexes() on a connection that is not open', () => {
  it('wait for one still opening, and say what to do for one never opened', async () => {
    server = await startFakeMongod();
    connection = mongoose.createConnection(server.uri('idx'), {
      autoIndex: false,
      autoCreate: false,
    });
    await ensureMongoIndexes({ connection }); // still opening: waits
    expect((await checkMongoIndexes({ connection })).ok).toBe(true);
    const never = mongoose.createConnection();
    await expect(checkMongoIndexes({ connection: never })).rejects.toThrow(/not open/);
  });
});

describe('autoIndex with the store created before the app connects', () => {
  it("still builds every index (the models' buffering is off), and the model's 'index' event reports the build", async () => {
    server = await startFakeMongod();
    connection = mongoose.createConnection();
    createMongoStore({ connection });
    const built = new Promise<unknown>((resolve) => {
      connection?.model('SessionKitSession').once('index', (error: unknown) => resolve(error));
    });
    await connection.openUri(server.uri('auto'));
    expect(await built).toBeUndefined();
    await until(async () => (await checkMongoIndexes({ connection })).ok);
  });
});

async function until(check: () => Promise<boolean>, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
