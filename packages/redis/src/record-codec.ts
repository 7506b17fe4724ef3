import type {
  CreateOptions,
  KnownDeviceRecord,
  PageCursor,
  RecordPage,
  SessionRecord,
} from '@sessionkit/core';

// How records are stored in Redis. A session value is `<head JSON>\n<body JSON>`:
// the head is what the Lua scripts read and rewrite (with cjson), the body passes
// through byte for byte (scripts/helpers.ts). A known-device entry is
// `<firstSeenAt>:<purgeAt>:<body JSON>`: the scripts read only the two numbers.

interface Head {
  userId: string;
  status: SessionRecord['status'];
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  endedAt: number | null;
  endReason: string | null;
  purgeAt: number;
  tokenHash: string;
  refreshTokenHash: string | null;
  retiredRefreshTokenHashes: string[] | Record<string, never>;
  /** Written by the verify script; absent in records stored before it existed. */
  verification?: { verifiedAt: number; method: string } | null;
  /** The claims-refresh mark (scripts/mark-refresh.ts); absent when none is pending. */
  refreshRequestedAt?: number | null;
  /** Written by the rotate script (epoch ms); absent before the first rotation. */
  refreshRotatedAt?: number;
}

type Body = Pick<
  SessionRecord,
  'id' | 'ipAddress' | 'userAgent' | 'deviceInfo' | 'location' | 'metadata' | 'deviceKey'
> & {
  /** Absent in records stored before it existed. */
  risk?: SessionRecord['risk'];
  /** Written only when true (a challenged sign-in, a trusted device). */
  verificationRequired?: true;
  trustedDevice?: true;
};

/** The body of a known-device entry; the scripts prepend `<firstSeenAt>:<purgeAt>:`. */
interface DeviceBody {
  deviceInfo: KnownDeviceRecord['deviceInfo'];
  lastSeenAt: number;
  lastIpAddress: string | null;
  lastLocation: KnownDeviceRecord['lastLocation'];
}

/** `<head>\n<body>`: the head is what Lua scripts read and rewrite, the body passes through. */
export function encodeRecord(record: SessionRecord): string {
  const head: Head = {
    userId: record.userId,
    status: record.status,
    createdAt: record.createdAt.getTime(),
    lastActivityAt: record.lastActivityAt.getTime(),
    expiresAt: record.expiresAt.getTime(),
    endedAt: record.endedAt === null ? null : record.endedAt.getTime(),
    endReason: record.endReason,
    purgeAt: record.purgeAt.getTime(),
    tokenHash: record.tokenHash,
    refreshTokenHash: record.refreshTokenHash,
    retiredRefreshTokenHashes: record.retiredRefreshTokenHashes,
    verification:
      record.verification === null
        ? null
        : {
            verifiedAt: record.verification.verifiedAt.getTime(),
            method: record.verification.method,
          },
  };
  if (record.refreshRequestedAt !== null) {
    head.refreshRequestedAt = record.refreshRequestedAt.getTime();
  }
  if (record.refreshRotatedAt) head.refreshRotatedAt = record.refreshRotatedAt.getTime();
  const body: Body = {
    id: record.id,
    ipAddress: record.ipAddress,
    userAgent: record.userAgent,
    deviceInfo: record.deviceInfo,
    location: record.location,
    metadata: record.metadata,
    deviceKey: record.deviceKey,
    risk: record.risk,
  };
  if (record.verificationRequired === true) body.verificationRequired = true;
  if (record.trustedDevice === true) body.trustedDevice = true;
  return `${JSON.stringify(head)}\n${JSON.stringify(body)}`;
}

export function decodeRecord(value: string): SessionRecord {
  const split = value.indexOf('\n');
  const head = JSON.parse(value.slice(0, split)) as Head;
  const body = JSON.parse(value.slice(split + 1)) as Body;
  const record = decodeFields(head, body);
  // Present only once rotated, like the record that was stored.
  if (typeof head.refreshRotatedAt === 'number') {
    record.refreshRotatedAt = new Date(head.refreshRotatedAt);
  }
  if (body.verificationRequired === true) record.verificationRequired = true;
  if (body.trustedDevice === true) record.trustedDevice = true;
  return record;
}

function decodeFields(head: Head, body: Body): SessionRecord {
  return {
    id: body.id,
    userId: head.userId,
    status: head.status,
    ipAddress: body.ipAddress,
    userAgent: body.userAgent,
    deviceInfo: body.deviceInfo,
    location: body.location,
    createdAt: new Date(head.createdAt),
    lastActivityAt: new Date(head.lastActivityAt),
    expiresAt: new Date(head.expiresAt),
    endedAt: head.endedAt === null ? null : new Date(head.endedAt),
    endReason: head.endReason,
    metadata: body.metadata,
    tokenHash: head.tokenHash,
    refreshTokenHash: head.refreshTokenHash,
    // cjson writes an empty array as `{}`.
    retiredRefreshTokenHashes: Array.isArray(head.retiredRefreshTokenHashes)
      ? head.retiredRefreshTokenHashes
      : [],
    deviceKey: body.deviceKey,
    purgeAt: new Date(head.purgeAt),
    risk: body.risk ?? null,
    verification: head.verification
      ? { verifiedAt: new Date(head.verification.verifiedAt), method: head.verification.method }
      : null,
    refreshRequestedAt:
      typeof head.refreshRequestedAt === 'number' ? new Date(head.refreshRequestedAt) : null,
  };
}

export function decodeRecordOrNull(value: string | null): SessionRecord | null {
  return value === null ? null : decodeRecord(value);
}

/** The known-device entry body of the record's device (the scripts add the two times). */
export function encodeDevice(record: SessionRecord): string {
  const body: DeviceBody = {
    deviceInfo: record.deviceInfo,
    lastSeenAt: record.createdAt.getTime(),
    lastIpAddress: record.ipAddress,
    lastLocation: record.location,
  };
  return JSON.stringify(body);
}

const DEVICE_ENTRY = /^(\d+):(\d+):/;

export function decodeDevice(userId: string, id: string, value: string): KnownDeviceRecord | null {
  const times = DEVICE_ENTRY.exec(value);
  if (!times) return null;
  const body = JSON.parse(value.slice(times[0].length)) as DeviceBody;
  return {
    id,
    userId,
    deviceInfo: body.deviceInfo,
    firstSeenAt: new Date(Number(times[1])),
    lastSeenAt: new Date(body.lastSeenAt),
    lastIpAddress: body.lastIpAddress,
    lastLocation: body.lastLocation,
    purgeAt: new Date(Number(times[2])),
  };
}

const DEVICE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** The previous device keys, space separated as the scripts take them (well-formed keys only). */
export function previousDeviceKeys(options: CreateOptions | undefined): string {
  const keys = options?.previousDeviceKeys;
  if (!Array.isArray(keys)) return '';
  return keys.filter((k) => typeof k === 'string' && DEVICE_KEY.test(k)).join(' ');
}

/**
 * A paged script reply `{next score, next id, value...}`. Records of any other
 * user are dropped (defence in depth: keys embed the user id, but a reply must
 * never carry a record the caller did not ask for).
 */
export function decodePage(userId: string, reply: readonly string[]): RecordPage {
  const [score, id, ...values] = reply;
  const records = values.map(decodeRecord).filter((r) => r.userId === userId);
  const next: PageCursor | null =
    score === '' || score === undefined || id === undefined
      ? null
      : { at: new Date(Number(score)), id };
  return { records, next };
}

/** A page cursor as the paged scripts take it: score ('' = from the top) and id. */
export function cursorFields(after: PageCursor | null): {
  afterScore: number | '';
  afterId: string;
} {
  return after === null
    ? { afterScore: '', afterId: '' }
    : { afterScore: after.at.getTime(), afterId: after.id };
}
