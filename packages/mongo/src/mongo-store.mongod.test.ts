import { randomBytes } from 'node:crypto';
import { createSessionManager, hashToken } from '@sessionkit/core';
import { runStoreConformanceTests } from '@sessionkit/core/testing';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMongoIndexes } from './indexes.js';
import { createMongoStore, ensureMongoIndexes } from './mongo-store.js';

// The store against a real mongod: the proof of its MongoDB semantics. Where
// the server comes from, in order:
//   MONGODB_URI=mongodb://127.0.0.1:27017   any server you run (standalone or replica set)
//   otherwise mongodb-memory-server starts one: MONGOMS_SYSTEM_BINARY=/usr/bin/mongod
//   if set, else a cached binary, else its normal download (on a developer's
//   laptop `pnpm test` runs this suite with no extra variable).
// With mongodb-memory-server, it runs once on a standalone mongod and once on
// a one-member replica set. When no server can be started (no network for the
// download, as on the sessionkit build machines), the suite is skipped with ONE
// line saying so, within seconds: the download gets no retries and the start
// is bounded by MONGOMS_START_TIMEOUT_MS (default 30 s, for a hang only; a
// refused download fails at once).
// What this file does NOT prove when skipped: the MongoDB semantics of every
// filter, update pipeline and index. The in-memory collection run
// (mongo-store.test.ts) and the fake wire-protocol server (mongo-faults.test.ts)
// do run everywhere; they prove the logic and the failure handling.

interface Server {
  label: string;
  uri: string;
  stop: () => Promise<void>;
}

const HOW_TO =
  'set MONGODB_URI=mongodb://127.0.0.1:27017 or MONGOMS_SYSTEM_BINARY=/path/to/mongod to run it';

function bounded<T>(start: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms`)), ms);
    start.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function startServers(): Promise<{ servers: Server[]; skip: string | null }> {
  const uri = process.env.MONGODB_URI;
  if (uri) return { servers: [{ label: 'MONGODB_URI', uri, stop: async () => {} }], skip: null };

  // A refused download must fail once, not after retries.
  process.env.MONGOMS_MAX_RETRIES ??= '0';
  const startTimeout = Number(process.env.MONGOMS_START_TIMEOUT_MS ?? 30_000);
  const mms = await import('mongodb-memory-server');
  let standalone: InstanceType<typeof mms.MongoMemoryServer>;
  try {
    standalone = await bounded(
      mms.MongoMemoryServer.create(),
      startTimeout,
      'mongodb-memory-server',
    );
  } catch (error) {
    // Asked for a specific binary: a failure to start it is a failure, not a skip.
    if (process.env.MONGOMS_SYSTEM_BINARY) throw error;
    const reason = ((error as Error).message ?? String(error)).split('\n')[0]?.slice(0, 200);
    return {
      servers: [],
      skip: `no MONGODB_URI and mongodb-memory-server could not start a mongod (${reason}); ${HOW_TO}`,
    };
  }
  const servers: Server[] = [
    {
      label: 'mongod standalone',
      uri: standalone.getUri(),
      stop: async () => void (await standalone.stop()),
    },
  ];
  try {
    const replSet = await bounded(
      mms.MongoMemoryReplSet.create({ replSet: { count: 1 } }),
      startTimeout,
      'mongodb-memory-server replica set',
    );
    servers.push({
      label: 'mongod replica set',
      uri: replSet.getUri(),
      stop: async () => void (await replSet.stop()),
    });
  } catch (error) {
    console.warn(`[@sessionkit/mongo] replica-set run skipped: ${(error as Error).message}`);
  }
  return { servers, skip: null };
}

const { servers, skip } = await startServers();

if (skip !== null) {
  console.warn(
    `[@sessionkit/mongo] real-MongoDB tests SKIPPED: ${skip}. NOT run: the conformance suite and storage checks on a real mongod (MongoDB semantics of filters, update pipelines, $$NOW, indexes). Still run: the same suite over in-memory collections (logic) and the fault tests against the real driver with a fake wire-protocol server.`,
  );
  it.skip(`MongoDB store on a real mongod (skipped: ${skip})`, () => {});
} else {
  console.info(
    `[@sessionkit/mongo] real-MongoDB tests RUN on: ${servers.map((s) => s.label).join(', ')}`,
  );
}

const connections: Connection[] = [];
afterAll(async () => {
  for (const connection of connections) {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
  for (const server of servers) await server.stop();
});

for (const server of servers) {
  // One database per run (a shared MONGODB_URI server is left as it was) and
  // one collection for the whole suite: its tests use unique user ids.
  const connection = mongoose.createConnection(server.uri, {
    dbName: `sessionkit_test_${randomBytes(6).toString('hex')}`,
    autoIndex: false,
  });
  connections.push(connection);
  await connection.asPromise();
  await ensureMongoIndexes({ connection });
  const hello = (await connection.db?.admin().command({ hello: 1 })) as { setName?: string };
  const topology = hello.setName ? `replica set ${hello.setName}` : 'standalone';
  const name = `mongo (${server.label}, ${topology})`;

  // Each factory call gets its own collections (and models), with their
  // indexes: cleanup() works on a whole collection, so a shared one would let
  // one test's records leak into another's results.
  let factoryCalls = 0;
  runStoreConformanceTests(
    name,
    async () => {
      const own = {
        connection,
        collectionName: `conformance_${++factoryCalls}`,
        modelName: `Conformance${factoryCalls}`,
        timeout: 5000,
      };
      await ensureMongoIndexes(own);
      return createMongoStore(own);
    },
    { timeout: 20_000 },
  );

  describe(`${name}: storage`, () => {
    const raw = () => connection.collection('sessionkit_sessions');

    it('ensureMongoIndexes() creates the declared indexes, with both TTLs and the partial unique refresh hash', async () => {
      const indexes = await raw().indexes();
      const byName = new Map(indexes.map((index) => [index.name, index]));
      expect(byName.get('purgeAt_ttl')).toMatchObject({
        key: { purgeAt: 1 },
        expireAfterSeconds: 0,
      });
      expect(byName.get('tokenHash_1')).toMatchObject({ unique: true });
      expect(byName.get('refreshTokenHash_1')).toMatchObject({
        unique: true,
        partialFilterExpression: { refreshTokenHash: { $type: 'string' } },
      });
      expect(byName.get('status_1_lastActivityAt_1')?.key).toEqual({
        status: 1,
        lastActivityAt: 1,
      });
      expect(byName.get('status_1_expiresAt_1')?.key).toEqual({ status: 1, expiresAt: 1 });
      expect((await checkMongoIndexes({ connection })).ok).toBe(true);
      expect(byName.get('userId_1_status_1_lastActivityAt_-1')?.key).toEqual({
        userId: 1,
        status: 1,
        lastActivityAt: -1,
      });
      // historyRetention defaults to the manager's 90 days.
      expect(byName.get('expiresAt_ttl')).toMatchObject({
        key: { expiresAt: 1 },
        expireAfterSeconds: 90 * 86_400,
      });
      const locks = await connection.collection('sessionkit_sessions_locks').indexes();
      expect(locks.find((i) => i.name === 'lockedUntil_ttl')).toMatchObject({
        expireAfterSeconds: 60,
      });
      const devices = await connection.collection('sessionkit_sessions_devices').indexes();
      expect(devices.find((i) => i.name === 'purgeAt_ttl')).toMatchObject({
        key: { purgeAt: 1 },
        expireAfterSeconds: 0,
      });
      expect(devices.find((i) => i.name === 'userId_1')?.key).toEqual({ userId: 1 });
    });

    it('the device upsert pipeline stores caller values literally, coordinates exactly', async () => {
      const store = createMongoStore({ connection });
      const manager = createSessionManager({ store });
      const userId = `dev-${randomBytes(4).toString('hex')}`;
      const first = await manager.create({ userId, ipAddress: '203.0.113.7' });
      const stored = await store.get(first.session.id);
      if (!stored) throw new Error('missing');
      const later = {
        ...stored,
        id: `${first.session.id.slice(0, 6)}${randomBytes(16).toString('base64url')}`,
        tokenHash: hashToken(randomBytes(8).toString('hex')),
        refreshTokenHash: null,
        createdAt: new Date(stored.createdAt.getTime() + 1000),
        ipAddress: '$userId',
        location: {
          country: '$ne',
          region: null,
          city: '$$ROOT',
          latitude: -36.8485,
          longitude: 174.7633,
        },
      };
      const result = await store.create(later, null, { deviceCap: 100, previousDeviceKeys: [] });
      expect(result.outcome === 'created' && result.knownDevice).toBe(true);
      const doc = await connection
        .collection('sessionkit_sessions_devices')
        .findOne({ _id: `${stored.deviceKey}:${userId}` as never });
      expect(doc).toMatchObject({
        userId,
        deviceId: stored.deviceKey,
        firstSeenAt: stored.createdAt,
        lastSeenAt: later.createdAt,
        lastIpAddress: '$userId',
        lastLocation: later.location,
        purgeAt: stored.purgeAt,
      });
      expect((await store.get(later.id))?.location).toEqual(later.location);
    });

    it('stores the session id as a string _id and dates as BSON dates, no token anywhere', async () => {
      const store = createMongoStore({ connection });
      const userId = `raw-${randomBytes(4).toString('hex')}`;
      const manager = createSessionManager({ store });
      const { session, token } = await manager.create({ userId, userAgent: 'test' });
      const doc = await raw().findOne({ _id: session.id as never });
      expect(typeof doc?._id).toBe('string');
      expect(doc?.expiresAt).toBeInstanceOf(Date);
      expect(doc?.purgeAt).toBeInstanceOf(Date);
      expect(doc?.tokenHash).toBe(hashToken(token));
      expect(JSON.stringify(doc)).not.toContain(token);
    });

    it('the unique index refuses a second session with the same token hash', async () => {
      const store = createMongoStore({ connection });
      const manager = createSessionManager({ store });
      const { session } = await manager.create({ userId: `dup-${randomBytes(4).toString('hex')}` });
      const stored = await store.get(session.id);
      if (!stored) throw new Error('missing');
      const copy = {
        ...stored,
        id: `${session.id.slice(0, 6)}${randomBytes(16).toString('base64url')}`,
      };
      await expect(
        store.create(copy, null, { deviceCap: 100, previousDeviceKeys: [] }),
      ).rejects.toMatchObject({ cause: { code: 11000 } });
    });

    it('many sessions without refresh tokens coexist (the refresh index is partial, not sparse)', async () => {
      const store = createMongoStore({ connection });
      const manager = createSessionManager({ store });
      const userId = `norefresh-${randomBytes(4).toString('hex')}`;
      await manager.create({ userId });
      await manager.create({ userId });
      expect(await manager.list(userId)).toHaveLength(2);
    });
  });
}
