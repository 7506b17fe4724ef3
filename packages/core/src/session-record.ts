import type { KnownDevice, Session, SessionLocation } from './session.js';
import type { KnownDeviceRecord, SessionRecord } from './session-store.js';

// Coordinates stay in the store for the impossible-travel check; the public API
// shows the user city, region and country only.
function publicLocation(location: SessionLocation | null): SessionLocation | null {
  if (location === null || location.latitude === undefined) return location;
  return { country: location.country, region: location.region, city: location.city };
}

/**
 * The public view of a stored record: every secret hash and storage field
 * removed. Stores return fresh copies, so this only picks fields — it sits on
 * the validate() hot path and must stay cheap.
 */
export function toPublicSession(record: SessionRecord | Session): Session {
  const session: Session = {
    id: record.id,
    userId: record.userId,
    status: record.status,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    deviceInfo: record.deviceInfo,
    location: publicLocation(record.location),
    createdAt: record.createdAt,
    lastActivityAt: record.lastActivityAt,
    expiresAt: record.expiresAt,
    endedAt: record.endedAt,
    endReason: record.endReason,
    metadata: record.metadata,
  };
  // Optional fields appear only when set, so plain sessions keep the contract's shape.
  if (record.risk) session.risk = record.risk;
  if (record.verification) session.verification = record.verification;
  if (record.refreshRequestedAt) session.refreshRequestedAt = record.refreshRequestedAt;
  // A challenge is pending until the session passes a verification.
  if (record.verificationRequired === true && !record.verification) {
    session.verificationRequired = true;
  }
  return session;
}

/** The public view of a known-device entry (owner and purge time removed). */
export function toPublicDevice(record: KnownDeviceRecord): KnownDevice {
  return {
    id: record.id,
    deviceInfo: record.deviceInfo,
    firstSeenAt: record.firstSeenAt,
    lastSeenAt: record.lastSeenAt,
    lastIpAddress: record.lastIpAddress,
    lastLocation: publicLocation(record.lastLocation),
  };
}
