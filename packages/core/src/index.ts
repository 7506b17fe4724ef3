export { createSessionManager } from './session-manager.js';
export type {
  CreatedSession,
  CreateSessionInput,
  RefreshedSession,
  SessionManager,
} from './session-manager.js';
export { DAY, HOUR, MINUTE, SECOND, type SessionManagerOptions } from './options.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  ENDED_STATUSES,
  SESSION_STATUSES,
  type DeviceInfo,
  type DeviceType,
  type EndedSessionStatus,
  type Session,
  type SessionLocation,
  type SessionStatus,
} from './session.js';
export {
  expiryOf,
  isLive,
  type CleanupInput,
  type CleanupResult,
  type CreateResult,
  type EndGuard,
  type EndTransition,
  type Liveness,
  type RefreshRotation,
  type RefreshRotationResult,
  type SessionLimit,
  type SessionRecord,
  type SessionStore,
  type TouchUpdate,
} from './session-store.js';
export { toPublicSession } from './session-record.js';
export { hashToken, isSessionId, sessionIdShard, userShard } from './token.js';
export {
  GeoBlockedError,
  InvalidInputError,
  SessionKitError,
  SessionLimitError,
  SessionStoreError,
} from './errors.js';
export {
  SESSION_EVENT_NAMES,
  type SessionEventHandler,
  type SessionEventName,
  type SessionEvents,
  type SessionKitLogger,
} from './events.js';
export { parseUserAgent, MAX_USER_AGENT_LENGTH } from './user-agent.js';
export { getClientIp, normalizeIp, readHeader, type HeadersLike, type TrustProxy } from './client-ip.js';
export { isNonPublicIp, type GeoPolicy, type GeoResolver } from './geo.js';
