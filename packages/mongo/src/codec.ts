import type { DeviceType, SuspiciousLoginReason } from '@sessionkit/core';
import type { KnownDeviceRecord, SessionRecord } from '@sessionkit/core/store';
import type { DeviceDoc, LocationDoc, SessionDoc } from './schema.js';

// The record <-> document codec: what the store writes for a SessionRecord or
// known device and how it reads one back (fresh copies, storage-only fields
// dropped, absent optional fields as null).

type SessionLocation = NonNullable<SessionRecord['location']>;

/** A device document's _id: the device id has no ':', so the first one separates the two. */
export function deviceDocId(userId: string, deviceId: string): string {
  return `${deviceId}:${userId}`;
}

export function locationDoc(location: SessionLocation | null): LocationDoc | null {
  if (location === null) return null;
  const doc: LocationDoc = {
    country: location.country,
    region: location.region,
    city: location.city,
  };
  // Coordinates only when present: absent stays absent.
  if (typeof location.latitude === 'number') doc.latitude = location.latitude;
  if (typeof location.longitude === 'number') doc.longitude = location.longitude;
  return doc;
}

export function locationOf(doc: LocationDoc | null | undefined): SessionLocation | null {
  if (!doc) return null;
  const location: SessionLocation = {
    country: orNull(doc.country),
    region: orNull(doc.region),
    city: orNull(doc.city),
  };
  if (typeof doc.latitude === 'number') location.latitude = doc.latitude;
  if (typeof doc.longitude === 'number') location.longitude = doc.longitude;
  return location;
}

export function deviceInfoDoc(info: SessionRecord['deviceInfo']): DeviceDoc['deviceInfo'] {
  return {
    type: info.type,
    os: info.os,
    osVersion: info.osVersion,
    browser: info.browser,
    browserVersion: info.browserVersion,
  };
}

export function deviceInfoOf(doc: DeviceDoc['deviceInfo']): SessionRecord['deviceInfo'] {
  return {
    type: doc.type as DeviceType,
    os: orNull(doc.os),
    osVersion: orNull(doc.osVersion),
    browser: orNull(doc.browser),
    browserVersion: orNull(doc.browserVersion),
  };
}

export function toDevice(doc: DeviceDoc): KnownDeviceRecord {
  return {
    id: doc.deviceId,
    userId: doc.userId,
    deviceInfo: deviceInfoOf(doc.deviceInfo),
    firstSeenAt: date(doc.firstSeenAt),
    lastSeenAt: date(doc.lastSeenAt),
    lastIpAddress: orNull(doc.lastIpAddress),
    lastLocation: locationOf(doc.lastLocation),
    purgeAt: date(doc.purgeAt),
  };
}

export function toDoc(record: SessionRecord): SessionDoc {
  return {
    _id: record.id,
    userId: record.userId,
    status: record.status,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    deviceInfo: deviceInfoDoc(record.deviceInfo),
    location: locationDoc(record.location),
    createdAt: record.createdAt,
    lastActivityAt: record.lastActivityAt,
    expiresAt: record.expiresAt,
    endedAt: record.endedAt,
    endReason: record.endReason,
    metadata: structuredClone(record.metadata),
    tokenHash: record.tokenHash,
    refreshTokenHash: record.refreshTokenHash,
    retiredRefreshTokenHashes: [...record.retiredRefreshTokenHashes],
    deviceKey: record.deviceKey,
    purgeAt: record.purgeAt,
    risk: record.risk ? { reasons: [...record.risk.reasons] } : null,
    verification: record.verification
      ? { verifiedAt: record.verification.verifiedAt, method: record.verification.method }
      : null,
    refreshRequestedAt: record.refreshRequestedAt ?? null,
    ...(record.refreshRotatedAt ? { refreshRotatedAt: record.refreshRotatedAt } : {}),
    ...(record.verificationRequired === true ? { verificationRequired: true } : {}),
    ...(record.trustedDevice === true ? { trustedDevice: true } : {}),
  };
}

export const date = (value: Date): Date => new Date(value.getTime());
export const orNull = <T>(value: T | null | undefined): T | null => value ?? null;

/** A fresh record from a stored document (storage-only fields like endBatch dropped). */
export function toRecord(doc: SessionDoc): SessionRecord {
  const record = recordFields(doc);
  // Present only once rotated, like the record that was stored.
  if (doc.refreshRotatedAt instanceof Date) record.refreshRotatedAt = date(doc.refreshRotatedAt);
  if (doc.verificationRequired === true) record.verificationRequired = true;
  if (doc.trustedDevice === true) record.trustedDevice = true;
  return record;
}

function recordFields(doc: SessionDoc): SessionRecord {
  return {
    id: doc._id,
    userId: doc.userId,
    status: doc.status,
    ipAddress: orNull(doc.ipAddress),
    userAgent: orNull(doc.userAgent),
    deviceInfo: deviceInfoOf(doc.deviceInfo),
    location: locationOf(doc.location),
    createdAt: date(doc.createdAt),
    lastActivityAt: date(doc.lastActivityAt),
    expiresAt: date(doc.expiresAt),
    endedAt: doc.endedAt ? date(doc.endedAt) : null,
    endReason: orNull(doc.endReason),
    metadata: structuredClone(doc.metadata ?? {}),
    tokenHash: doc.tokenHash,
    refreshTokenHash: orNull(doc.refreshTokenHash),
    retiredRefreshTokenHashes: [...(doc.retiredRefreshTokenHashes ?? [])],
    deviceKey: doc.deviceKey,
    purgeAt: date(doc.purgeAt),
    risk: doc.risk ? { reasons: [...doc.risk.reasons] as SuspiciousLoginReason[] } : null,
    verification: doc.verification
      ? { verifiedAt: date(doc.verification.verifiedAt), method: doc.verification.method }
      : null,
    refreshRequestedAt: doc.refreshRequestedAt ? date(doc.refreshRequestedAt) : null,
  };
}
