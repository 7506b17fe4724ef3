export type {
  DeviceInfo,
  DeviceType,
  KnownDevice,
  PublicEndReason,
  Session,
  SessionEndReasonCode,
  SessionLocation,
  SessionRisk,
  SessionStatus,
  SessionVerification,
  SuspiciousLoginReason,
} from '@sessionkit/core';
export { KnownDevices, type KnownDevicesProps } from './KnownDevices.js';
export {
  defaultKnownDevicesLabels,
  defaultSessionManagementLabels,
  type KnownDevicesLabelOverrides,
  type KnownDevicesLabels,
  type SessionManagementLabelOverrides,
  type SessionManagementLabels,
} from './labels.js';
export {
  type RefreshSessionActivityOptions,
  refreshSessionActivity,
} from './refreshSessionActivity.js';
export { SessionEndedNotice, type SessionEndedNoticeProps } from './SessionEndedNotice.js';
export {
  defaultSessionLimitPickerLabels,
  SessionLimitPicker,
  type SessionLimitPickerLabels,
  type SessionLimitPickerProps,
} from './SessionLimitPicker.js';
export { SessionManagement, type SessionManagementProps } from './SessionManagement.js';
export { SessionApiError } from './sessions-client.js';
export {
  type UseKnownDevicesOptions,
  type UseKnownDevicesResult,
  useKnownDevices,
} from './useKnownDevices.js';
export {
  type SessionkitSessionState,
  type SignOutOptions,
  type UseSessionOptions,
  type UseSessionResult,
  useSession,
} from './useSession.js';
export {
  type UseSessionEndReasonOptions,
  type UseSessionEndReasonResult,
  useSessionEndReason,
} from './useSessionEndReason.js';
export {
  type SessionExpiry,
  type UseSessionExpiryOptions,
  useSessionExpiry,
} from './useSessionExpiry.js';
