export {
  getClientIp,
  type HeadersLike,
  normalizeIp,
  readHeader,
  type TrustProxy,
} from './client-ip.js';
export {
  createDeviceId,
  createDeviceIdCookie,
  DEVICE_ID_COOKIE,
  type DeviceIdCookieOptions,
  deviceFingerprint,
  isDeviceId,
  isKnownDeviceId,
  readDeviceIdCookie,
  SECURE_DEVICE_ID_COOKIE,
} from './device.js';
export {
  GeoBlockedError,
  InvalidInputError,
  SessionKitError,
  SessionLimitError,
  SessionStoreError,
  SuspiciousLoginError,
  VerificationRequiredError,
} from './errors.js';
export {
  SESSION_EVENT_NAMES,
  type SessionEventHandler,
  type SessionEventName,
  type SessionEvents,
  type SessionKitLogger,
} from './events.js';
export { type GeoPolicy, type GeoResolver, isNonPublicIp } from './geo.js';
export { isWellFormedText } from './input.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { DAY, HOUR, MINUTE, SECOND, type SessionManagerOptions } from './options.js';
export {
  createRevocationLinks,
  type RevocationLinkOptions,
  type RevocationLinks,
} from './revocation-links.js';
export {
  assessLogin,
  type PriorLogin,
  type SuspiciousLoginOptions,
} from './risk.js';
export {
  type DeviceInfo,
  type DeviceType,
  ENDED_STATUSES,
  type EndedSessionStatus,
  type KnownDevice,
  SESSION_STATUSES,
  type Session,
  type SessionLocation,
  type SessionRisk,
  type SessionStatus,
  type SessionVerification,
  type SuspiciousLoginReason,
} from './session.js';
export type {
  CreatedSession,
  CreateSessionInput,
  RefreshedSession,
  SessionListOptions,
  SessionManager,
  SessionPage,
} from './session-manager.js';
export { createSessionManager } from './session-manager.js';
export {
  type CleanupInput,
  type CleanupResult,
  type CreateOptions,
  type CreateResult,
  type EndAllBatch,
  type EndAllResult,
  type EndGuard,
  type EndTransition,
  expiryOf,
  isLive,
  type KnownDeviceRecord,
  type Liveness,
  type PageCursor,
  type PageQuery,
  type RecordPage,
  type RefreshRotation,
  type RefreshRotationResult,
  type SessionLimit,
  type SessionRecord,
  type SessionStore,
  type TouchUpdate,
  type VerificationUpdate,
} from './session-store.js';
export {
  hashToken,
  isSessionId,
  legacyUserShard,
  sessionIdShard,
  userShard,
} from './token.js';
export { MAX_USER_AGENT_LENGTH, parseUserAgent } from './user-agent.js';
export { isRecentlyVerified, requireRecentVerification } from './verification.js';
