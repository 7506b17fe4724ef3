/**
 * `@sessionkit/core/store`: what only store authors need — the record and
 * contract types, the liveness and expiry rules, the shard helpers, token
 * hashing and the text check. Apps import from `@sessionkit/core`.
 * See docs/writing-a-store.md.
 */
export { storedOrigin } from './federated-sessions.js';
export { isWellFormedText } from './input.js';
export {
  ENDED_STATUSES,
  type EndedSessionStatus,
  SESSION_STATUSES,
  type SessionStatus,
} from './session.js';
export {
  type CleanupInput,
  type CleanupResult,
  type CreateOptions,
  type CreateResult,
  DEFAULT_HISTORY_RETENTION_MS,
  type EndAllBatch,
  type EndAllResult,
  type EndGuard,
  type EndTransition,
  expiryOf,
  type FederatedEndBatch,
  type FederatedMatch,
  isLive,
  isLiveAt,
  type KnownDeviceRecord,
  type Liveness,
  type PageCursor,
  type PageQuery,
  type PendingSignInRecord,
  type RecordPage,
  type RefreshRequest,
  type RefreshRotation,
  type RefreshRotationResult,
  type RefreshTarget,
  type SessionLimit,
  type SessionOrigin,
  type SessionRecord,
  type SessionStore,
  type SignInCompletion,
  type SignInCompletionResult,
  STORE_METHODS,
  type TouchUpdate,
  type VerificationUpdate,
} from './session-store.js';
export { hashToken, isSessionId, legacyUserShard, sessionIdShard, userShard } from './token.js';
