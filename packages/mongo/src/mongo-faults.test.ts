import {
  createSessionManager,
  InvalidInputError,
  type SessionManager,
  SessionStoreError,
} from '@sessionkit/core';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeUriConnections, reconnectDelay, UriConnection } from './connections.js';
import { createMongoStore } from './mongo-store.js';
import { type FakeMongod, startFakeMongod } from './test-support/fake-mongod.js';

// Fault tests against the REAL driver (mongoose 8's bundled `mongodb`) talking
// to a fake wire-protocol server (test-support/fake-mongod.ts): no mongod can
// be had on this machine, and these failure modes are hard to produce with a
// real one anyway. They prove that every call settles within `timeout` plus a
// small margin as SessionStoreError, that nothing is sent after a call failed
// (but the undo of its own insert), and that the same store works again once
// the server answers.

const TIMEOUT = 250;
/** Scheduling slack on a shared 2-core machine. */
const MARGIN = 250;

const fakes: FakeMongod[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) await connection.close(true).catch(() => {});
  await closeUriConnections();
  for (const fake of fakes.splice(0)) await fake.stop();
});
afterAll(async () => {
  await closeUriConnections();
});

async function fake(mode: Parameters<typeof startFakeMongod>[0] = 'answer', mongos = false) {
  const server = await startFakeMongod(mode, { mongos });
  fakes.push(server);
  return server;
}

/** The app's own connection, with fast monitoring so that an outage is noticed within a second. */
async function connect(server: FakeMongod, query = ''): Promise<Connection> {
  const connection = mongoose.createConnection(
    server.uri(
      'app',
      `heartbeatFrequencyMS=500&serverSelectionTimeoutMS=1000${query ? `&${query}` : ''}`,
    ),
    // No index builds from mongoose in the background: only the store's commands reach the server.
    { autoIndex: false, autoCreate: false },
  );
  connections.push(connection);
  await connection.asPromise();
  return connection;
}

/** Every manager call that reaches the store, against a session created while the server answered. */
async function everyCall(manager: SessionManager) {
  const { session, token, refreshToken } = await manager.create({ userId: 'faulty' });
  return {
    create: () => manager.create({ userId: 'faulty' }),
    validate: () => manager.validate(token),
    touch: () => manager.touch(token),
    get: () => manager.get(session.id),
    list: () => manager.list('faulty'),
    revoke: () => manager.revoke(session.id),
    revokeAll: () => manager.revokeAll('faulty'),
    logout: () => manager.logout(token),
    refresh: () => manager.refresh(refreshToken as string),
    listDevices: () => manager.listDevices('faulty'),
    forgetDevice: () => manager.forgetDevice('faulty', 'dEvIcEkEyLiNuXfIrEfOx1'),
    markVerified: () => manager.markVerified(session.id, { method: 'totp' }),
    cleanup: () => manager.cleanup(),
  };
}

/** Runs `fn` and reports how it settled and after how long. */
async function settle(fn: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await fn();
    return { error: null, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

async function until(check: () => Promise<boolean>, withinMs = 8000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const answers = (manager: SessionManager, sessionId: string) => async () =>
  manager.get(sessionId).then(
    () => true,
    () => false,
  );

describe('mongo store against a fake server (real driver; no mongod here)', () => {
  it.each(['silent', 'drop'] as const)(
    "server in '%s' mode: every call rejects with SessionStoreError within timeout + margin, sends nothing after failing, and works again once it answers",
    async (mode) => {
      const server = await fake();
      const connection = await connect(server);
      const manager = createSessionManager({
        store: createMongoStore({ connection, timeout: TIMEOUT }),
        refreshTokens: true,
      });
      const calls = await everyCall(manager);
      const { session } = await manager.create({ userId: 'other' });
      await server.setMode(mode);
      for (const [name, call] of Object.entries(calls)) {
        const { error, ms } = await settle(call);
        expect(error, name).toBeInstanceOf(SessionStoreError);
        expect(ms, name).toBeLessThan(TIMEOUT + MARGIN);
      }
      // Nothing sent late: after the last call failed, only the undo of the
      // failed create's own insert (a delete) may still reach the server.
      const seen = server.commands.length;
      await new Promise((r) => setTimeout(r, TIMEOUT * 2));
      const late = server.commands.slice(seen).map((c) => c.name);
      expect(late.filter((name) => name !== 'delete')).toEqual([]);

      await server.setMode('answer');
      await until(answers(manager, session.id));
      expect((await manager.get(session.id))?.userId).toBe('other');
    },
  );

  it('server refusing connections: calls fail within the bound, then at once once the driver knows it is down, then work again', async () => {
    const server = await fake();
    const connection = await connect(server);
    const manager = createSessionManager({
      store: createMongoStore({ connection, timeout: TIMEOUT }),
    });
    const { session, token } = await manager.create({ userId: 'refused' });
    await server.setMode('refuse');
    const first = await settle(() => manager.get(session.id));
    expect(first.error).toBeInstanceOf(SessionStoreError);
    expect(first.ms).toBeLessThan(TIMEOUT + MARGIN);
    // The driver's monitor marks the server unknown; mongoose says disconnected.
    await until(async () => connection.readyState === 0);
    const fast = await settle(() => manager.validate(token));
    expect(fast.error).toBeInstanceOf(SessionStoreError);
    expect(String((fast.error as Error).message)).toMatch(/connection is down/);
    expect(fast.ms).toBeLessThan(100);
    await server.setMode('answer');
    await until(answers(manager, session.id));
    expect((await manager.get(session.id))?.userId).toBe('refused');
  });

  it('a call made while the connection is still opening waits within the bound and is never replayed later (no mongoose buffering)', async () => {
    const server = await fake('refuse');
    const connection = mongoose.createConnection(
      server.uri('app', 'heartbeatFrequencyMS=500&serverSelectionTimeoutMS=5000'),
    );
    connections.push(connection);
    connection.asPromise().catch(() => undefined);
    const manager = createSessionManager({
      store: createMongoStore({ connection, timeout: TIMEOUT }),
    });
    const { error, ms } = await settle(() => manager.get('s'.repeat(28)));
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(ms).toBeLessThan(TIMEOUT + MARGIN);
    await server.setMode('answer');
    await connection.asPromise();
    await new Promise((r) => setTimeout(r, TIMEOUT));
    // The failed get() was not sent when the connection opened.
    expect(server.commands.map((c) => c.name)).not.toContain('find');
    expect(await manager.get('s'.repeat(28))).toBeNull();
    expect(server.commands.map((c) => c.name)).toContain('find');
  });

  it('a `uri` store whose first connect fails reconnects by itself (after a backoff) once the server is up', async () => {
    const server = await fake('refuse');
    const store = createMongoStore({
      uri: server.uri('app', 'heartbeatFrequencyMS=500&serverSelectionTimeoutMS=300'),
      timeout: TIMEOUT,
    });
    const manager = createSessionManager({ store });
    const first = await settle(() => manager.get('s'.repeat(28)));
    expect(first.error).toBeInstanceOf(SessionStoreError);
    expect(first.ms).toBeLessThan(TIMEOUT + MARGIN);
    // Once the first connect has failed, calls fail at once during the backoff.
    await until(async () => {
      const r = await settle(() => manager.get('s'.repeat(28)));
      return r.error instanceof SessionStoreError && /first connect failed/.test(String(r.error));
    });
    await server.setMode('answer');
    await until(async () =>
      manager.get('s'.repeat(28)).then(
        () => true,
        () => false,
      ),
    );
    const { session } = await manager.create({ userId: 'recovered' });
    expect((await manager.get(session.id))?.userId).toBe('recovered');
  });

  it('reads go to the primary and end transitions are majority-acknowledged, whatever the connection says', async () => {
    // As a mongos, the driver puts a non-primary read preference on the wire.
    const server = await fake('answer', true);
    const connection = await connect(server, 'readPreference=secondaryPreferred&w=1');
    const manager = createSessionManager({
      store: createMongoStore({ connection, timeout: 2000 }),
    });
    // The connection's own read preference does reach the wire...
    await connection.collection('probe').findOne({});
    expect(server.commands.at(-1)?.body.$readPreference).toMatchObject({
      mode: 'secondaryPreferred',
    });
    // ...but none of the store's reads carry it.
    const { session, token } = await manager.create({ userId: 'concern' });
    await manager.validate(token);
    await manager.list('concern');
    await manager.revoke(session.id);
    await manager.revokeAll('concern');
    const storeCommands = server.commands.filter((c) =>
      String(c.body[c.name]).startsWith('sessionkit_sessions'),
    );
    for (const command of storeCommands) {
      expect(command.body.$readPreference, command.name).toBeUndefined();
      expect(typeof command.body.maxTimeMS, command.name).toBe('number');
    }
    // revoke() is a findAndModify, revokeAll() a multi-document update.
    const ends = storeCommands.filter(
      (c) =>
        c.body[c.name] === 'sessionkit_sessions' &&
        (c.name === 'findAndModify' ||
          (c.name === 'update' && (c.body.updates as { multi?: boolean }[])[0]?.multi === true)),
    );
    expect(ends.length).toBeGreaterThanOrEqual(2);
    for (const command of ends) {
      expect(command.body.writeConcern, command.name).toEqual({ w: 'majority' });
    }
  });
});

describe('createMongoStore({ timeout })', () => {
  it('defaults to 500 ms', async () => {
    const server = await fake();
    const connection = await connect(server);
    const store = createMongoStore({ connection });
    await server.setMode('silent');
    const { error, ms } = await settle(() => store.get('s'.repeat(28)));
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(ms).toBeGreaterThanOrEqual(490);
    expect(ms).toBeLessThan(500 + MARGIN);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '500'])(
    'refuses timeout %s with InvalidInputError',
    (timeout) => {
      expect(() =>
        createMongoStore({ connection: mongoose.createConnection(), timeout: timeout as number }),
      ).toThrow(InvalidInputError);
    },
  );
});

describe('reconnect backoff', () => {
  it('waits 0.5 s after the first failure, doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map(reconnectDelay)).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000, 30_000,
    ]);
  });

  it('failed attempts do not pile up in mongoose.connections', async () => {
    const server = await fake('refuse');
    const uri = server.uri('app', 'serverSelectionTimeoutMS=100');
    const before = mongoose.connections.length;
    const source = new UriConnection(uri);
    const first = source.current();
    await first?.asPromise().catch(() => undefined);
    await until(async () => source.current() === null);
    await until(async () => mongoose.connections.length === before);
  });
});

describe('a connection the app opens later', () => {
  it('a call made before mongoose.connect() waits for it (within timeout), and one made long before fails as SessionStoreError', async () => {
    const server = await fake();
    const connection = mongoose.createConnection(); // not opened yet, as `mongoose.connection` before connect()
    connections.push(connection);
    const manager = createSessionManager({
      store: createMongoStore({ connection, timeout: 1000 }),
    });
    const early = await settle(() => manager.get('s'.repeat(28)));
    expect(early.error).toBeInstanceOf(SessionStoreError);
    expect(early.ms).toBeGreaterThanOrEqual(990);
    const waiting = manager.get('s'.repeat(28));
    await connection.openUri(server.uri('app'), { autoIndex: false, autoCreate: false });
    expect(await waiting).toBeNull();
  });
});

describe('a create whose insert stalls on the wire (real driver)', () => {
  it('fails within the bound, and its session is deleted even when the insert lands after the call failed', async () => {
    const server = await fake();
    const connection = await connect(server);
    const store = createMongoStore({ connection, timeout: TIMEOUT });
    const manager = createSessionManager({ store, maxSessionsPerUser: 2 });
    await manager.create({ userId: 'stall' });
    const held = server.holdNext('insert');
    const started = performance.now();
    const failed = manager.create({ userId: 'stall' }).then(
      () => null,
      (error: unknown) => error,
    );
    await held.arrived;
    expect(await failed).toBeInstanceOf(SessionStoreError);
    expect(performance.now() - started).toBeLessThan(TIMEOUT + MARGIN);
    // Meanwhile another sign-in of the same user goes through.
    await manager.create({ userId: 'stall' });
    held.release(); // the stalled insert lands now, after its call failed
    const sessions = () => [...(server.collections.get('sessionkit_sessions')?.values() ?? [])];
    await until(async () => sessions().length === 3);
    await until(async () => sessions().length === 2, 3000);
  });
});
