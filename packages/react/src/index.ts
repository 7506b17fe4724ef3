export type {
  DeviceInfo,
  DeviceType,
  Session,
  SessionLocation,
  SessionStatus,
} from '@sessionkit/core';
export {
  defaultSessionManagementLabels,
  type SessionManagementLabelOverrides,
  type SessionManagementLabels,
} from './labels.js';
export {
  type RefreshSessionActivityOptions,
  refreshSessionActivity,
} from './refreshSessionActivity.js';
export { SessionManagement, type SessionManagementProps } from './SessionManagement.js';
export { SessionApiError } from './sessions-client.js';
export {
  type SessionkitSessionState,
  type SignOutOptions,
  type UseSessionOptions,
  type UseSessionResult,
  useSession,
} from './useSession.js';
export {
  type SessionExpiry,
  type UseSessionExpiryOptions,
  useSessionExpiry,
} from './useSessionExpiry.js';
