import {
  DEFAULT_HISTORY_RETENTION_MS,
  SESSION_STATUSES,
  type SessionStatus,
} from '@sessionkit/core/store';
import { Schema } from 'mongoose';

/**
 * One session as stored in MongoDB. `_id` is the session id (a 28-character
 * string, never an ObjectId); every other field mirrors `SessionRecord`, plus
 * `endBatch`, a marker written by the multi-document transitions so that the
 * records they ended can be read back (see `endAllForUser` in mongo-store.ts).
 */
export interface SessionDoc {
  _id: string;
  userId: string;
  status: SessionStatus;
  ipAddress: string | null;
  userAgent: string | null;
  deviceInfo: DeviceInfoDoc;
  location: LocationDoc | null;
  createdAt: Date;
  lastActivityAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  metadata: Record<string, unknown>;
  tokenHash: string;
  refreshTokenHash: string | null;
  retiredRefreshTokenHashes: string[];
  deviceKey: string;
  purgeAt: Date;
  /** Absent on documents written before sessionkit recorded risk (read as null). */
  risk?: { reasons: string[] } | null;
  /** Absent on documents written before sessionkit recorded verification (read as null). */
  verification?: { verifiedAt: Date; method: string } | null;
  /** The claims-refresh mark; absent on documents written before it existed (read as null). */
  refreshRequestedAt?: Date | null;
  /** When the refresh pair was last rotated; absent before the first rotation. */
  refreshRotatedAt?: Date;
  /** Written only when true (a challenged sign-in, a trusted device). */
  verificationRequired?: boolean;
  trustedDevice?: boolean;
  endBatch?: string;
  /** Federated sign-out: where the session came from (see SessionStore.linkOrigin); never read into the record. */
  origin?: OriginDoc | null;
}

/** The OpenID provider session a session came from (issue 16). */
export interface OriginDoc {
  providerId: string;
  issuer: string;
  subject: string;
  sid: string | null;
  idToken: string | null;
}

/** `latitude`/`longitude` are present only when the geo resolver knew them. */
export interface LocationDoc {
  country: string | null;
  region: string | null;
  city: string | null;
  latitude?: number;
  longitude?: number;
}

export interface DeviceInfoDoc {
  type: string;
  os: string | null;
  osVersion: string | null;
  browser: string | null;
  browserVersion: string | null;
}

/**
 * One known device of one user. `_id` is `<deviceId>:<userId>` (a device id is
 * base64url, so the first `:` separates the two), which makes the upsert in
 * create() a single-document write that two concurrent sign-ins cannot
 * duplicate.
 */
export interface DeviceDoc {
  _id: string;
  userId: string;
  deviceId: string;
  deviceInfo: DeviceInfoDoc;
  firstSeenAt: Date;
  lastSeenAt: Date;
  lastIpAddress: string | null;
  lastLocation: LocationDoc | null;
  /** The latest `purgeAt` of a session created on this device; the TTL index deletes the entry then. */
  purgeAt: Date;
}

/** A per-user lease that serialises limit-enforcing creates (see mongo-store.ts). */
export interface LockDoc {
  /** The user id. */
  _id: string;
  /** Random id of the create call holding the lease. */
  holder: string;
  /** When the lease lapses if its holder never releases it (crashed process). */
  lockedUntil: Date;
}

/** Default collection for sessions. */
export const DEFAULT_COLLECTION_NAME = 'sessionkit_sessions';
/** Default mongoose model name for sessions. */
export const DEFAULT_MODEL_NAME = 'SessionKitSession';

/** The lock and device collections and models live beside the sessions one. */
export const lockCollectionName = (collectionName: string): string => `${collectionName}_locks`;
export const lockModelName = (modelName: string): string => `${modelName}Lock`;
export const deviceCollectionName = (collectionName: string): string => `${collectionName}_devices`;
export const deviceModelName = (modelName: string): string => `${modelName}Device`;

/** Default history retention (the manager's default `historyRetention`): 90 days in ms. */
export { DEFAULT_HISTORY_RETENTION_MS };

/** `expireAfterSeconds` for a retention in ms, rounded up so that nothing is deleted early. */
export const retentionSeconds = (historyRetentionMs: number): number =>
  Math.ceil(historyRetentionMs / 1000);

/**
 * Seconds after `lockedUntil` at which MongoDB's TTL monitor deletes a lease
 * whose holder died without releasing it. Released leases are deleted at once.
 */
const LOCK_GC_AFTER_SECONDS = 60;

const nullableString = { type: String, default: null };

const deviceInfoSchema = () =>
  new Schema(
    {
      type: { type: String, required: true },
      os: nullableString,
      osVersion: nullableString,
      browser: nullableString,
      browserVersion: nullableString,
    },
    { _id: false },
  );

// No defaults on the coordinates: absent stays absent.
const locationSchema = () =>
  new Schema(
    {
      country: nullableString,
      region: nullableString,
      city: nullableString,
      latitude: { type: Number },
      longitude: { type: Number },
    },
    { _id: false },
  );

/**
 * The sessions schema. Writes go through the driver collection (see
 * mongo-store.ts), so the schema's job is to document the shape and declare
 * the indexes that `autoIndex` or `ensureMongoIndexes()` create.
 */
export function createSessionSchema(
  collectionName: string,
  historyRetentionMs: number = DEFAULT_HISTORY_RETENTION_MS,
): Schema<SessionDoc> {
  const schema = new Schema<SessionDoc>(
    {
      _id: { type: String, required: true },
      userId: { type: String, required: true },
      status: {
        type: String,
        required: true,
        enum: [...SESSION_STATUSES],
      },
      ipAddress: nullableString,
      userAgent: nullableString,
      deviceInfo: { type: deviceInfoSchema(), required: true },
      location: { type: locationSchema(), default: null },
      createdAt: { type: Date, required: true },
      lastActivityAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      endedAt: { type: Date, default: null },
      endReason: nullableString,
      metadata: { type: Schema.Types.Mixed, default: {} },
      tokenHash: { type: String, required: true },
      refreshTokenHash: nullableString,
      retiredRefreshTokenHashes: { type: [String], default: [] },
      deviceKey: { type: String, required: true },
      purgeAt: { type: Date, required: true },
      risk: {
        type: new Schema({ reasons: { type: [String], default: [] } }, { _id: false }),
        default: null,
      },
      verification: {
        type: new Schema(
          { verifiedAt: { type: Date, required: true }, method: { type: String, required: true } },
          { _id: false },
        ),
        default: null,
      },
      refreshRequestedAt: { type: Date, default: null },
      refreshRotatedAt: { type: Date },
      verificationRequired: { type: Boolean },
      trustedDevice: { type: Boolean },
      endBatch: { type: String },
      origin: {
        type: new Schema(
          {
            providerId: { type: String, required: true },
            issuer: { type: String, required: true },
            subject: { type: String, required: true },
            sid: nullableString,
            idToken: nullableString,
          },
          { _id: false },
        ),
        default: undefined,
      },
    },
    {
      collection: collectionName,
      versionKey: false,
      // No mongoose command buffering: a buffered command runs when the
      // connection opens, long after its call failed. The store waits for an
      // opening connection itself, within its timeout.
      bufferCommands: false,
      timestamps: false,
      minimize: false,
    },
  );

  // Indexes are declared here, never on the paths, so that schema.indexes() is
  // the complete list that autoIndex and ensureMongoIndexes() manage.
  // Listing and history of one user. Also covers `userId` equality queries, but
  // the design contract names a plain `userId` index too, and it stays cheap.
  schema.index({ userId: 1 }, { name: 'userId_1' });
  // Validation by token looks the session up by id; the unique hash index
  // guarantees two sessions can never share a token hash.
  schema.index({ tokenHash: 1 }, { name: 'tokenHash_1', unique: true });
  // Unique only among sessions that have a refresh token: a partial index, not a
  // sparse one, because sparse still indexes `null` (and would collide on it).
  schema.index(
    { refreshTokenHash: 1 },
    {
      name: 'refreshTokenHash_1',
      unique: true,
      partialFilterExpression: { refreshTokenHash: { $type: 'string' } },
    },
  );
  schema.index({ status: 1 }, { name: 'status_1' });
  // The design contract's TTL on expiresAt, delayed by the history retention so
  // that an expired session stays readable as history: a backstop that deletes
  // every session by expiresAt + retention even if its purgeAt were wrong (an
  // ended session's purgeAt, endedAt + retention, is never later than that).
  // Also used by cleanup() to find ACTIVE sessions past their lifetime.
  schema.index(
    { expiresAt: 1 },
    { name: 'expiresAt_ttl', expireAfterSeconds: retentionSeconds(historyRetentionMs) },
  );
  // The exact TTL. purgeAt = expiresAt + historyRetention while the session is
  // live, endedAt + historyRetention once it ended: core computes it.
  schema.index({ purgeAt: 1 }, { name: 'purgeAt_ttl', expireAfterSeconds: 0 });
  // list(userId, { status }) newest activity first.
  schema.index(
    { userId: 1, status: 1, lastActivityAt: -1 },
    { name: 'userId_1_status_1_lastActivityAt_-1' },
  );
  // Listing pages and revokeAll batches: a user's ACTIVE sessions in the stable
  // (expiresAt, _id) order the cursors walk, read one page at a time.
  schema.index(
    { userId: 1, status: 1, expiresAt: -1, _id: -1 },
    { name: 'userId_1_status_1_expiresAt_-1__id_-1' },
  );
  // History pages and the history cap: a user's ended sessions by (endedAt, _id).
  schema.index(
    { userId: 1, status: 1, endedAt: -1, _id: -1 },
    { name: 'userId_1_status_1_endedAt_-1__id_-1' },
  );
  // cleanup(): ACTIVE sessions idle past the idle timeout, and ACTIVE sessions
  // past their lifetime. Without them each batch rescans every ACTIVE session
  // (lastActivityAt sits behind userId in the compound index above) or every
  // ended one still kept as history (the expiresAt TTL index).
  schema.index({ status: 1, lastActivityAt: 1 }, { name: 'status_1_lastActivityAt_1' });
  schema.index({ status: 1, expiresAt: 1 }, { name: 'status_1_expiresAt_1' });
  // Federated sign-out (issue 16): an identity provider's logout by (issuer, sid)
  // or (issuer, subject), walked in (createdAt, _id) order. Partial: only ACTIVE
  // sessions that have an origin are indexed, so ended sessions leave the index.
  schema.index(
    { 'origin.issuer': 1, 'origin.sid': 1, createdAt: 1, _id: 1 },
    {
      name: 'origin_issuer_sid',
      partialFilterExpression: { 'origin.sid': { $type: 'string' }, status: 'ACTIVE' },
    },
  );
  schema.index(
    { 'origin.issuer': 1, 'origin.subject': 1, createdAt: 1, _id: 1 },
    {
      name: 'origin_issuer_subject',
      partialFilterExpression: { 'origin.subject': { $type: 'string' }, status: 'ACTIVE' },
    },
  );
  return schema;
}

/** The per-user lease schema: only `_id` (the user id) and a TTL for dead holders. */
export function createLockSchema(collectionName: string): Schema<LockDoc> {
  const schema = new Schema<LockDoc>(
    {
      _id: { type: String, required: true },
      holder: { type: String, required: true },
      lockedUntil: { type: Date, required: true },
    },
    {
      collection: collectionName,
      versionKey: false,
      // No mongoose command buffering: a buffered command runs when the
      // connection opens, long after its call failed. The store waits for an
      // opening connection itself, within its timeout.
      bufferCommands: false,
      timestamps: false,
    },
  );
  schema.index(
    { lockedUntil: 1 },
    { name: 'lockedUntil_ttl', expireAfterSeconds: LOCK_GC_AFTER_SECONDS },
  );
  return schema;
}

/** The known-device schema: one entry per (user, device), deleted by a TTL on purgeAt. */
export function createDeviceSchema(collectionName: string): Schema<DeviceDoc> {
  const schema = new Schema<DeviceDoc>(
    {
      _id: { type: String, required: true },
      userId: { type: String, required: true },
      deviceId: { type: String, required: true },
      deviceInfo: { type: deviceInfoSchema(), required: true },
      firstSeenAt: { type: Date, required: true },
      lastSeenAt: { type: Date, required: true },
      lastIpAddress: nullableString,
      lastLocation: { type: locationSchema(), default: null },
      purgeAt: { type: Date, required: true },
    },
    {
      collection: collectionName,
      versionKey: false,
      // No mongoose command buffering: a buffered command runs when the
      // connection opens, long after its call failed. The store waits for an
      // opening connection itself, within its timeout.
      bufferCommands: false,
      timestamps: false,
      minimize: false,
    },
  );
  // listDevices(userId).
  schema.index({ userId: 1 }, { name: 'userId_1' });
  // A device is forgotten once the last session created on it is purged.
  schema.index({ purgeAt: 1 }, { name: 'purgeAt_ttl', expireAfterSeconds: 0 });
  return schema;
}
