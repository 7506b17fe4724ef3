import { InvalidInputError } from '@sessionkit/core';
import mongoose, { type Connection, type Model, type Schema } from 'mongoose';
import { UriConnection } from './connections.js';
import {
  createDeviceSchema,
  createLockSchema,
  createSessionSchema,
  DEFAULT_COLLECTION_NAME,
  DEFAULT_HISTORY_RETENTION_MS,
  DEFAULT_MODEL_NAME,
  type DeviceDoc,
  deviceCollectionName,
  deviceModelName,
  type LockDoc,
  lockCollectionName,
  lockModelName,
  retentionSeconds,
  type SessionDoc,
} from './schema.js';

export interface MongoStoreOptions {
  /**
   * The app's mongoose connection (from `mongoose.createConnection()`, or
   * `mongoose.connection` after `mongoose.connect()`). The store registers its
   * models on it and shares its connection pool. A call made while it is
   * still opening waits for it (within `timeout`); the store's models do not
   * use mongoose's command buffering, which would run a command long after its
   * call failed.
   * @default mongoose.connection (the default connection), unless `uri` is set
   */
  connection?: Connection;
  /**
   * Connection string, used only when `connection` is not given. The store
   * opens one connection per URI per process and reuses it across Next.js hot
   * reloads and repeated `createMongoStore()` calls. If its first connect
   * fails, the next call after a backoff (0.5 s doubling to 30 s) connects
   * afresh; meanwhile calls fail at once.
   * @default undefined
   */
  uri?: string;
  /**
   * Bound in ms on every store call, whatever the connection does (opening,
   * server selection, a server that accepts and never answers): past it the
   * call rejects with `SessionStoreError` and sends nothing more, and the
   * manager treats the session as invalid. Each command also carries the
   * driver's `timeoutMS` (the time left), so the server abandons it too.
   * While the connection is known to be down, calls fail at once.
   * `cleanup()`, which no request waits for, bounds each command by this and
   * the whole call by 30 s (or this, if larger).
   * @default 500
   */
  timeout?: number;
  /**
   * Collection holding the sessions. Per-user locks for the session limit live
   * in `<collectionName>_locks`, known devices in `<collectionName>_devices`.
   * @default 'sessionkit_sessions'
   */
  collectionName?: string;
  /**
   * Mongoose model name registered on the connection (the lock and device
   * models are `<modelName>Lock` and `<modelName>Device`). Change it only if
   * your app already uses the name.
   * @default 'SessionKitSession'
   */
  modelName?: string;
  /**
   * History retention in ms, for the TTL index on `expiresAt`: MongoDB deletes
   * every session by `expiresAt + historyRetention` at the latest (rounded up
   * to whole seconds), whatever its `purgeAt`. Pass the same value as the
   * manager's `historyRetention`; a shorter one deletes history early. Every
   * store and `ensureMongoIndexes()` call on one connection must use the same
   * value; changing it later needs `ensureMongoIndexes()` to rebuild the index.
   * @default 7_776_000_000 (90 days, the manager's default)
   */
  historyRetention?: number;
}

export interface StoreModels {
  sessions: Model<SessionDoc>;
  locks: Model<LockDoc>;
  devices: Model<DeviceDoc>;
}

/** MongoDB stores `expireAfterSeconds` as a 32-bit integer. */
const MAX_TTL_SECONDS = 2_147_483_647;

function checkRetention(value: unknown): number {
  if (value === undefined) return DEFAULT_HISTORY_RETENTION_MS;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    retentionSeconds(value) > MAX_TTL_SECONDS
  ) {
    throw new InvalidInputError(
      `createMongoStore(): historyRetention must be a number of ms from 0 to ${MAX_TTL_SECONDS * 1000} (pass the manager's historyRetention).`,
    );
  }
  return value;
}

/** The `expireAfterSeconds` of the sessions model's `expiresAt` TTL index. */
function expiresAtTtl(model: Model<SessionDoc>): unknown {
  const index = model.schema.indexes().find(([keys]) => Object.keys(keys).join() === 'expiresAt');
  return index?.[1].expireAfterSeconds;
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

/** Checks `options` (object, uri) before any connection is picked. */
export function checkOptions(options: MongoStoreOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('createMongoStore(): options must be an object.');
  }
  if (
    options.connection === undefined &&
    options.uri !== undefined &&
    (typeof options.uri !== 'string' || !/^mongodb(\+srv)?:\/\//.test(options.uri))
  ) {
    throw new InvalidInputError(
      "createMongoStore(): uri must be a MongoDB connection string starting with 'mongodb://' or 'mongodb+srv://'.",
    );
  }
}

/** The connection the options name: `connection`, the cached one for `uri`, or mongoose's default. */
export function pickConnection(options: MongoStoreOptions): Connection {
  checkOptions(options);
  if (options.connection !== undefined) return options.connection;
  if (options.uri !== undefined) {
    const connection = new UriConnection(options.uri).current();
    if (!connection) {
      throw new Error(
        `MongoDB: ${new UriConnection(options.uri).describe()}; try again after that`,
      );
    }
    return connection;
  }
  return mongoose.connection;
}

export function resolveModels(
  options: MongoStoreOptions,
  connection: Connection = pickConnection(options),
): StoreModels {
  checkOptions(options);
  const collectionName = checkName(
    options.collectionName ?? DEFAULT_COLLECTION_NAME,
    'collectionName',
  );
  const modelName = checkName(options.modelName ?? DEFAULT_MODEL_NAME, 'modelName');
  const retention = checkRetention(options.historyRetention);
  const sessions = registerModel(
    connection,
    modelName,
    collectionName,
    (name) => createSessionSchema(name, retention),
    ['tokenHash', 'purgeAt', 'deviceKey'],
  );
  // A registered model keeps the TTL it was declared with: refuse to pretend
  // another retention applies.
  const ttl = expiresAtTtl(sessions);
  if (ttl !== retentionSeconds(retention)) {
    throw new InvalidInputError(
      `createMongoStore(): model '${modelName}' is already registered on this connection with historyRetention ${String(ttl)} s on its expiresAt TTL index, not ${retentionSeconds(retention)} s. Pass the same historyRetention to every createMongoStore()/ensureMongoIndexes() call on one connection (restart the dev server after changing it), or use another modelName.`,
    );
  }
  const locks = registerModel(
    connection,
    lockModelName(modelName),
    lockCollectionName(collectionName),
    createLockSchema,
    ['holder', 'lockedUntil'],
  );
  const devices = registerModel(
    connection,
    deviceModelName(modelName),
    deviceCollectionName(collectionName),
    createDeviceSchema,
    ['deviceId', 'firstSeenAt', 'purgeAt'],
  );
  return { sessions, locks, devices };
}
