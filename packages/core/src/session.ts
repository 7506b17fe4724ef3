/** Lifecycle state of a session. Moves one way: ACTIVE → EXPIRED | REVOKED | LOGGED_OUT. */
export type SessionStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED' | 'LOGGED_OUT';

/** The statuses a session can end in. */
export type EndedSessionStatus = Exclude<SessionStatus, 'ACTIVE'>;

export type DeviceType =
  | 'desktop'
  | 'mobile'
  | 'tablet'
  | 'tv'
  | 'console'
  | 'wearable'
  | 'bot'
  | 'unknown';

export interface DeviceInfo {
  type: DeviceType;
  os: string | null;
  osVersion: string | null;
  browser: string | null;
  browserVersion: string | null;
}

export interface SessionLocation {
  /** ISO 3166-1 alpha-2 country code, e.g. `'DE'`. */
  country: string | null;
  region: string | null;
  city: string | null;
  /** Present when the geo resolver knows coordinates; used to spot impossible travel. */
  latitude?: number;
  longitude?: number;
}

/** Why a sign-in looked suspicious. */
export type SuspiciousLoginReason = 'new_country' | 'impossible_travel' | 'login_burst';

/** Risk signals recorded on a session at sign-in (`suspiciousLogin.policy: 'flag'`). */
export interface SessionRisk {
  reasons: SuspiciousLoginReason[];
}

/** The last step-up verification (e.g. a 2FA challenge) passed on this session. */
export interface SessionVerification {
  verifiedAt: Date;
  /** The factor, e.g. `'totp'`, `'webauthn'`, `'password'`. */
  method: string;
}

/**
 * A tracked login session as every API returns it. It never carries a token,
 * a refresh token or a token hash.
 */
export interface Session {
  /** Opaque, URL-safe, unguessable id; used to revoke. */
  id: string;
  userId: string;
  status: SessionStatus;
  ipAddress: string | null;
  userAgent: string | null;
  deviceInfo: DeviceInfo;
  location: SessionLocation | null;
  createdAt: Date;
  lastActivityAt: Date;
  /** Absolute end of the session's lifetime. */
  expiresAt: Date;
  /** Set when the session leaves ACTIVE. */
  endedAt: Date | null;
  /** Why it ended: `'revoked_by_user'`, `'logged_out'`, `'expired'`, `'idle_timeout'`, `'session_limit'`, `'refresh_token_reuse'`, `'replaced'` (a new sign-in in the same browser took its place), `'idp_logout'` (the identity provider ended it: back-channel logout), or a caller-supplied reason. */
  endReason: string | null;
  metadata: Record<string, unknown>;
  /** Present only when the sign-in was flagged by `suspiciousLogin`. */
  risk?: SessionRisk;
  /** Present only after `markVerified()`. */
  verification?: SessionVerification;
  /**
   * Present only while `requestRefresh()` has asked for this session's claims
   * (roles, profile) to be reloaded and the integration has not yet done so.
   */
  refreshRequestedAt?: Date;
  /**
   * Present (true) while a sign-in challenged by `suspiciousLogin.policy:
   * 'challenge'` waits for `markVerified()`: the session works, but sensitive
   * actions (route guards, `requireVerifiedSession`) are refused until then.
   */
  verificationRequired?: true;
}

/** A device a user has signed in from, remembered beyond the life of its sessions. */
export interface KnownDevice {
  /** Opaque, privacy-preserving fingerprint of the device (see `deviceFingerprint`). */
  id: string;
  deviceInfo: DeviceInfo;
  firstSeenAt: Date;
  /** The last sign-in from this device. */
  lastSeenAt: Date;
  lastIpAddress: string | null;
  lastLocation: SessionLocation | null;
}

export const SESSION_STATUSES: readonly SessionStatus[] = [
  'ACTIVE',
  'EXPIRED',
  'REVOKED',
  'LOGGED_OUT',
];

export const ENDED_STATUSES: readonly EndedSessionStatus[] = ['EXPIRED', 'REVOKED', 'LOGGED_OUT'];
