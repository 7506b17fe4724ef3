import type { Session } from './session.js';
import type { SessionRecord } from './session-store.js';

/** The public view of a stored record: every secret hash and storage field removed, deep-copied. */
export function toPublicSession(record: SessionRecord | Session): Session {
  return {
    id: record.id,
    userId: record.userId,
    status: record.status,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    deviceInfo: { ...record.deviceInfo },
    location: record.location === null ? null : { ...record.location },
    createdAt: new Date(record.createdAt.getTime()),
    lastActivityAt: new Date(record.lastActivityAt.getTime()),
    expiresAt: new Date(record.expiresAt.getTime()),
    endedAt: record.endedAt === null ? null : new Date(record.endedAt.getTime()),
    endReason: record.endReason,
    metadata: structuredClone(record.metadata),
  };
}
