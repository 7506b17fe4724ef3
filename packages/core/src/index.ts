export type { RequestRefreshTarget } from './claims-refresh.js';
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
  isSessionEndReasonCode,
  KNOWN_END_REASONS,
  type PublicEndReason,
  publicEndReason,
  SESSION_END_MESSAGES,
  type SessionEndReasonCode,
} from './end-reason.js';
export {
  GeoBlockedError,
  type HeldSignIn,
  InvalidInputError,
  PendingSignInError,
  SessionKitError,
  SessionLimitError,
  SessionStoreError,
  SignInVerificationRequiredError,
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
export { type FederatedLogout, IDP_LOGOUT } from './federated-sessions.js';
export { type GeoPolicy, type GeoResolver, isNonPublicIp } from './geo.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  DAY,
  HOUR,
  type LimitPolicy,
  MINUTE,
  SECOND,
  type SessionManagerOptions,
} from './options.js';
export type { CompletePendingSignInInput, PendingSignIn } from './pending-sign-in.js';
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
export { EdgeRuntimeError, isEdgeRuntime } from './runtime.js';
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
  ValidateOptions,
} from './session-manager.js';
export { createSessionManager } from './session-manager.js';
// Store authors import these from '@sessionkit/core/store'. The main entry keeps
// the SessionStore type (apps pass stores around) and, deprecated, the rest for
// one minor version so existing stores keep compiling.
export type { SessionOrigin, SessionStore } from './session-store.js';
export { isVerificationPending, requireVerifiedSignIn } from './sign-in-verification.js';
export * from './store-deprecated.js';
export { isSessionId } from './token.js';
export { MAX_USER_AGENT_LENGTH, parseUserAgent } from './user-agent.js';
export { isRecentlyVerified, requireRecentVerification } from './verification.js';
