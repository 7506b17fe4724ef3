import { InvalidInputError } from '@sessionkit/core';
import mongoose, { type Connection, type Model, type Schema } from 'mongoose';
import {
  createLockSchema,
  createSessionSchema,
  DEFAULT_COLLECTION_NAME,
  DEFAULT_MODEL_NAME,
  type LockDoc,
  lockCollectionName,
  lockModelName,
  type SessionDoc,
} from './schema.js';

export interface MongoStoreOptions {
  /**
   * The app's mongoose connection (from `mongoose.createConnection()`, or
   * `mongoose.connection` after `mongoose.connect()`). The store registers its
   * models on it and shares its connection pool. Commands issued before it
   * opens are buffered by mongoose like any model's.
   * @default mongoose.connection (the default connection), unless `uri` is set
   */
  connection?: Connection;
  /**
   * Connection string, used only when `connection` is not given. The store
   * opens one connection per URI per process and reuses it across Next.js hot
   * reloads and repeated `createMongoStore()` calls.
   * @default undefined
   */
  uri?: string;
  /**
   * Collection holding the sessions. Per-user locks for the session limit live
   * in `<collectionName>_locks`.
   * @default 'sessionkit_sessions'
   */
  collectionName?: string;
  /**
   * Mongoose model name registered on the connection (the lock model is
   * `<modelName>Lock`). Change it only if your app already uses the name.
   * @default 'SessionKitSession'
   */
  modelName?: string;
}

export interface StoreModels {
  sessions: Model<SessionDoc>;
  locks: Model<LockDoc>;
}

// Connections opened from `uri`, kept on globalThis so that a Next.js dev
// server re-evaluating this module on hot reload reuses them instead of
// opening a new pool on every edit.
const CONNECTIONS_KEY = Symbol.for('@sessionkit/mongo:connections');

function connectionForUri(uri: string): Connection {
  const holder = globalThis as typeof globalThis & { [CONNECTIONS_KEY]?: Map<string, Connection> };
  let connections = holder[CONNECTIONS_KEY];
  if (!connections) {
    connections = new Map();
    holder[CONNECTIONS_KEY] = connections;
  }
  let connection = connections.get(uri);
  if (!connection) {
    connection = mongoose.createConnection(uri);
    // A failed initial connect surfaces on the first command (as a store
    // error); swallow it here so it is not an unhandled rejection.
    connection.asPromise().catch(() => undefined);
    connections.set(uri, connection);
  }
  return connection;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

function checkName(name: string, option: string): string {
  if (!NAME_PATTERN.test(name) || name.startsWith('system.')) {
    throw new InvalidInputError(
      `createMongoStore(): ${option} must be 1-100 letters, digits, '_', '-' or '.', and not start with 'system.'.`,
    );
  }
  return name;
}

/**
 * The model `name` on `connection`: the one already registered (a second
 * `createMongoStore()` call, or a Next.js hot reload re-running this code), or
 * a new one. A model of the same name that is not sessionkit's, or that uses
 * another collection, is an error rather than silently shared.
 */
function registerModel<T>(
  connection: Connection,
  name: string,
  collectionName: string,
  createSchema: (collection: string) => Schema<T>,
  requiredPaths: readonly string[],
): Model<T> {
  const existing = connection.models[name] as Model<T> | undefined;
  if (existing) {
    const ours = requiredPaths.every((path) => existing.schema.path(path) !== undefined);
    if (!ours || existing.collection.collectionName !== collectionName) {
      throw new InvalidInputError(
        `createMongoStore(): the connection already has a model named '${name}' that is not a sessionkit model for collection '${collectionName}'. Pass another modelName (and collectionName) to createMongoStore().`,
      );
    }
    return existing;
  }
  return connection.model<T>(name, createSchema(collectionName));
}

export function resolveModels(options: MongoStoreOptions): StoreModels {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('createMongoStore(): options must be an object.');
  }
  const collectionName = checkName(
    options.collectionName ?? DEFAULT_COLLECTION_NAME,
    'collectionName',
  );
  const modelName = checkName(options.modelName ?? DEFAULT_MODEL_NAME, 'modelName');
  let connection: Connection;
  if (options.connection !== undefined) {
    connection = options.connection;
  } else if (options.uri !== undefined) {
    if (typeof options.uri !== 'string' || !/^mongodb(\+srv)?:\/\//.test(options.uri)) {
      throw new InvalidInputError(
        "createMongoStore(): uri must be a MongoDB connection string starting with 'mongodb://' or 'mongodb+srv://'.",
      );
    }
    connection = connectionForUri(options.uri);
  } else {
    connection = mongoose.connection;
  }
  const sessions = registerModel(connection, modelName, collectionName, createSessionSchema, [
    'tokenHash',
    'purgeAt',
    'deviceKey',
  ]);
  const locks = registerModel(
    connection,
    lockModelName(modelName),
    lockCollectionName(collectionName),
    createLockSchema,
    ['holder', 'lockedUntil'],
  );
  return { sessions, locks };
}
