import type { KnownDevice, Session, SessionLocation } from './session.js';
import type { KnownDeviceRecord, SessionRecord } from './session-store.js';

function copyLocation(location: SessionLocation | null): SessionLocation | null {
  return location === null ? null : { ...location };
}

/** The public view of a stored record: every secret hash and storage field removed, deep-copied. */
export function toPublicSession(record: SessionRecord | Session): Session {
  const session: Session = {
    id: record.id,
    userId: record.userId,
    status: record.status,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    deviceInfo: { ...record.deviceInfo },
    location: copyLocation(record.location),
    createdAt: new Date(record.createdAt.getTime()),
    lastActivityAt: new Date(record.lastActivityAt.getTime()),
    expiresAt: new Date(record.expiresAt.getTime()),
    endedAt: record.endedAt === null ? null : new Date(record.endedAt.getTime()),
    endReason: record.endReason,
    metadata: structuredClone(record.metadata),
  };
  // Optional fields appear only when set, so plain sessions keep the contract's shape.
  if (record.risk) session.risk = { reasons: [...record.risk.reasons] };
  if (record.verification) {
    session.verification = {
      verifiedAt: new Date(record.verification.verifiedAt.getTime()),
      method: record.verification.method,
    };
  }
  return session;
}

/** The public view of a known-device entry. */
export function toPublicDevice(record: KnownDeviceRecord): KnownDevice {
  return {
    id: record.id,
    deviceInfo: { ...record.deviceInfo },
    firstSeenAt: new Date(record.firstSeenAt.getTime()),
    lastSeenAt: new Date(record.lastSeenAt.getTime()),
    lastIpAddress: record.lastIpAddress,
    lastLocation: copyLocation(record.lastLocation),
  };
}
