import { InvalidInputError } from '@sessionkit/core';
import mongoose, { type Connection, Schema } from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveModels } from './models.js';
import { createMongoStore } from './mongo-store.js';

// No server needed: mongoose registers models on a connection that is not
// open yet (commands would buffer). autoIndex/autoCreate are off so nothing
// waits on a server in the background.
const opened: Connection[] = [];
function unopenedConnection(): Connection {
  const connection = mongoose.createConnection();
  connection.set('autoIndex', false);
  connection.set('autoCreate', false);
  opened.push(connection);
  return connection;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

describe('createMongoStore() model registration', () => {
  it("registers its models on the app's connection with the default names", () => {
    const connection = unopenedConnection();
    createMongoStore({ connection });
    expect(connection.models.SessionKitSession?.collection.collectionName).toBe(
      'sessionkit_sessions',
    );
    expect(connection.models.SessionKitSessionLock?.collection.collectionName).toBe(
      'sessionkit_sessions_locks',
    );
    expect(connection.models.SessionKitSessionDevice?.collection.collectionName).toBe(
      'sessionkit_sessions_devices',
    );
  });

  it('declares the expiresAt TTL from historyRetention, and refuses a second store with another one', () => {
    const connection = unopenedConnection();
    const { sessions } = resolveModels({ connection, historyRetention: 30 * 86_400_000 });
    const ttl = sessions.schema.indexes().find(([keys]) => 'expiresAt' in keys)?.[1];
    expect(ttl?.expireAfterSeconds).toBe(30 * 86_400);
    expect(() => createMongoStore({ connection, historyRetention: 30 * 86_400_000 })).not.toThrow();
    expect(() => createMongoStore({ connection })).toThrow(/same historyRetention/);
  });

  it('rejects a historyRetention that is not a usable number of ms', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '90d', 2 ** 31 * 1000]) {
      const connection = unopenedConnection();
      expect(() => createMongoStore({ connection, historyRetention: bad as never })).toThrow(
        InvalidInputError,
      );
      expect(Object.keys(connection.models)).toEqual([]);
    }
  });

  it('reuses its registered model when created again (Next.js hot reload) instead of throwing', () => {
    const connection = unopenedConnection();
    const first = resolveModels({ connection });
    expect(() => createMongoStore({ connection })).not.toThrow();
    const second = resolveModels({ connection });
    expect(second.sessions).toBe(first.sessions);
    expect(second.locks).toBe(first.locks);
  });

  it('never takes over an app model that happens to use the name, and says how to fix it', () => {
    const connection = unopenedConnection();
    connection.model('SessionKitSession', new Schema({ title: String }));
    expect(() => createMongoStore({ connection })).toThrow(InvalidInputError);
    expect(() => createMongoStore({ connection })).toThrow(/Pass another modelName/);
  });

  it('refuses to reuse its model for a different collection', () => {
    const connection = unopenedConnection();
    createMongoStore({ connection });
    expect(() => createMongoStore({ connection, collectionName: 'other_sessions' })).toThrow(
      InvalidInputError,
    );
  });

  it('coexists with app models and with a second store under another model name', () => {
    const connection = unopenedConnection();
    const User = connection.model('User', new Schema({ email: String }));
    createMongoStore({ connection });
    createMongoStore({ connection, modelName: 'AdminSession', collectionName: 'admin_sessions' });
    expect(connection.models.User).toBe(User);
    expect(connection.models.AdminSession?.collection.collectionName).toBe('admin_sessions');
    expect(connection.models.AdminSessionLock?.collection.collectionName).toBe(
      'admin_sessions_locks',
    );
  });

  it('keeps models of different connections apart', () => {
    const a = unopenedConnection();
    const b = unopenedConnection();
    expect(resolveModels({ connection: a }).sessions).not.toBe(
      resolveModels({ connection: b }).sessions,
    );
  });

  it('opens one connection per uri and reuses it on every later call (hot reload)', async () => {
    // Port 9 (discard) on loopback: nothing answers, and the connect attempt
    // gives up after 100 ms so the connection can be closed again.
    const uri = 'mongodb://127.0.0.1:9/sessionkit_unreachable?serverSelectionTimeoutMS=100';
    const first = resolveModels({ uri });
    const second = resolveModels({ uri });
    expect(second.sessions.db).toBe(first.sessions.db);
    expect(second.sessions).toBe(first.sessions);
    await first.sessions.db.asPromise().catch(() => undefined);
    opened.push(first.sessions.db);
  });

  it('rejects malformed options before touching any connection', () => {
    expect(() => createMongoStore({ uri: 'http://example.test' })).toThrow(InvalidInputError);
    const connection = unopenedConnection();
    expect(() => createMongoStore({ connection, collectionName: 'system.users' })).toThrow(
      InvalidInputError,
    );
    expect(() => createMongoStore({ connection, modelName: 'a b' })).toThrow(InvalidInputError);
    expect(Object.keys(connection.models)).toEqual([]);
  });
});
