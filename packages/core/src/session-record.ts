import type { Session } from './session.js';
import type { SessionRecord } from './session-store.js';

/**
 * The public view of a stored record: every secret hash and storage field
 * removed. Stores return fresh copies, so this only picks fields — it sits on
 * the validate() hot path and must stay cheap.
 */
export function toPublicSession(record: SessionRecord | Session): Session {
  return {
    id: record.id,
    userId: record.userId,
    status: record.status,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    deviceInfo: record.deviceInfo,
    location: record.location,
    createdAt: record.createdAt,
    lastActivityAt: record.lastActivityAt,
    expiresAt: record.expiresAt,
    endedAt: record.endedAt,
    endReason: record.endReason,
    metadata: record.metadata,
  };
}
