import type { KnownDeviceRecord, SessionRecord } from '@sessionkit/core';

/** Columns of the session table, in the order every statement selects or returns them. */
export const SESSION_COLUMNS =
  'id, user_id, status, ip_address, user_agent, device_info, location, created_at, last_activity_at, expires_at, ended_at, end_reason, metadata, risk, verification, token_hash, refresh_token_hash, retired_refresh_token_hashes, device_key, purge_at, refresh_requested_at, refresh_rotated_at, verification_required, trusted_device';

/**
 * The VALUES list of an INSERT of {@link SESSION_COLUMNS}, in that order, typed
 * where node-postgres sends text (jsonb, text[]). Parameters come from
 * {@link encodeSession}; every statement inserting a session uses this one list.
 */
export const SESSION_INSERT_VALUES = `(${SESSION_COLUMNS.split(', ')
  .map((column, i) => {
    const cast =
      column === 'retired_refresh_token_hashes'
        ? '::text[]'
        : ['device_info', 'location', 'metadata', 'risk', 'verification'].includes(column)
          ? '::jsonb'
          : '';
    return `$${i + 1}${cast}`;
  })
  .join(', ')})`;

export const DEVICE_COLUMNS =
  'user_id, id, device_info, first_seen_at, last_seen_at, last_ip_address, last_location, purge_at';

export interface SessionRow {
  id: string;
  user_id: string;
  status: SessionRecord['status'];
  ip_address: string | null;
  user_agent: string | null;
  device_info: SessionRecord['deviceInfo'];
  location: SessionRecord['location'];
  created_at: Date | string;
  last_activity_at: Date | string;
  expires_at: Date | string;
  ended_at: Date | string | null;
  end_reason: string | null;
  metadata: Record<string, unknown>;
  risk: SessionRecord['risk'];
  verification: { verifiedAt: string; method: string } | null;
  token_hash: string;
  refresh_token_hash: string | null;
  retired_refresh_token_hashes: string[];
  device_key: string;
  purge_at: Date | string;
  refresh_requested_at: Date | string | null;
  refresh_rotated_at: Date | string | null;
  verification_required: boolean;
  trusted_device: boolean;
}

export interface DeviceRow {
  user_id: string;
  id: string;
  device_info: KnownDeviceRecord['deviceInfo'];
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  last_ip_address: string | null;
  last_location: KnownDeviceRecord['lastLocation'];
  purge_at: Date | string;
}

/**
 * Drivers return timestamptz as Date (node-postgres: a fresh object per row,
 * so it is used as is) or as text (some HTTP drivers).
 */
export const toDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(value);

/** Last instant ISO text (and PostgreSQL's input) writes with a four-digit year. */
const MAX_ISO_MS = 253_402_300_799_999;

/**
 * Timestamps are sent as ISO text, which every driver passes through unchanged.
 * Bounds past year 9999 (callers pass `new Date(8.64e15)` for "no bound") are
 * PostgreSQL's `infinity`.
 */
export const iso = (date: Date): string => {
  const ms = date.getTime();
  if (ms > MAX_ISO_MS) return 'infinity';
  if (ms < -62_135_596_800_000) return '-infinity';
  return date.toISOString();
};

export const iso0 = (date: Date | null): string | null => (date === null ? null : iso(date));

/** jsonb parameters are sent as JSON text (node-postgres would turn a JS array into a SQL array). */
export const json = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

export function decodeSession(row: SessionRow): SessionRecord {
  const record = decodeFields(row);
  // Present only once rotated, like the record that was stored.
  if (row.refresh_rotated_at != null) record.refreshRotatedAt = toDate(row.refresh_rotated_at);
  if (row.verification_required === true) record.verificationRequired = true;
  if (row.trusted_device === true) record.trustedDevice = true;
  return record;
}

function decodeFields(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    deviceInfo: row.device_info,
    location: row.location,
    createdAt: toDate(row.created_at),
    lastActivityAt: toDate(row.last_activity_at),
    expiresAt: toDate(row.expires_at),
    endedAt: row.ended_at === null ? null : toDate(row.ended_at),
    endReason: row.end_reason,
    metadata: row.metadata,
    risk: row.risk,
    verification:
      row.verification === null
        ? null
        : { verifiedAt: new Date(row.verification.verifiedAt), method: row.verification.method },
    tokenHash: row.token_hash,
    refreshTokenHash: row.refresh_token_hash,
    retiredRefreshTokenHashes: [...row.retired_refresh_token_hashes],
    deviceKey: row.device_key,
    purgeAt: toDate(row.purge_at),
    refreshRequestedAt: row.refresh_requested_at === null ? null : toDate(row.refresh_requested_at),
  };
}

/** Parameters $1..$24 of an INSERT in {@link SESSION_COLUMNS} order. */
export function encodeSession(record: SessionRecord): unknown[] {
  return [
    record.id,
    record.userId,
    record.status,
    record.ipAddress,
    record.userAgent,
    json(record.deviceInfo),
    json(record.location),
    iso(record.createdAt),
    iso(record.lastActivityAt),
    iso(record.expiresAt),
    iso0(record.endedAt),
    record.endReason,
    json(record.metadata ?? {}),
    json(record.risk),
    json(encodeVerification(record.verification)),
    record.tokenHash,
    record.refreshTokenHash,
    record.retiredRefreshTokenHashes,
    record.deviceKey,
    iso(record.purgeAt),
    iso0(record.refreshRequestedAt ?? null),
    record.refreshRotatedAt ? iso(record.refreshRotatedAt) : null,
    record.verificationRequired === true,
    record.trustedDevice === true,
  ];
}

export function encodeVerification(
  verification: SessionRecord['verification'],
): { verifiedAt: string; method: string } | null {
  return verification === null
    ? null
    : { verifiedAt: iso(verification.verifiedAt), method: verification.method };
}

export function decodeDevice(row: DeviceRow): KnownDeviceRecord {
  return {
    id: row.id,
    userId: row.user_id,
    deviceInfo: row.device_info,
    firstSeenAt: toDate(row.first_seen_at),
    lastSeenAt: toDate(row.last_seen_at),
    lastIpAddress: row.last_ip_address,
    lastLocation: row.last_location,
    purgeAt: toDate(row.purge_at),
  };
}
