export {
  type BackchannelLogoutHandler,
  type BackchannelLogoutOptions,
  type BackchannelProvider,
  createBackchannelLogoutHandler,
  createMemoryReplayCache,
  createPagesBackchannelLogoutHandler,
  type NextAuthProviderLike,
  type ReplayCache,
} from './backchannel-logout.js';
export { requireVerifiedSession } from './challenge.js';
export type { SetDeviceId } from './device-cookie.js';
export {
  createDeviceRouteHandlers,
  type DeviceRouteHandlers,
  type DeviceRouteHandlersOptions,
} from './device-route-handlers.js';
export {
  clearEndReasonCookie,
  createEndReasonCookie,
  END_REASON_COOKIE,
  type EndReasonCookie,
  readSessionEndReason,
  SECURE_END_REASON_COOKIE,
  type SetEndReason,
  serializeEndReasonCookie,
} from './end-reason-cookie.js';
export {
  createPagesEndReasonHandler,
  createSessionEndReasonHandler,
  type SessionEndReasonHandlerOptions,
  type SessionEndReasonHandlers,
} from './end-reason-route.js';
export { resolveSessionEndReason } from './end-reason-watch.js';
export {
  type GetTrackedTokenParams,
  getTrackedToken,
  type RequestWithTrackedToken,
  type SessionCheckOptions,
  withSessionCheck,
} from './middleware.js';
export type { GetHeaders } from './request-context.js';
export {
  createPagesSessionHandler,
  createSessionRouteHandlers,
  type PagesApiRequest,
  type PagesApiResponse,
  type PagesSessionHandlerOptions,
  type SessionRouteHandlers,
  type SessionRouteHandlersOptions,
  type TrackedSessionLike,
} from './route-handlers.js';
export { type FederatedSignOutOptions, federatedSignOutUrl } from './rp-logout.js';
export {
  createSessionLimitHandler,
  PENDING_SIGN_IN_COOKIE,
  type PendingSignInCookie,
  SESSION_LIMIT_PROVIDER_ID,
  type SessionLimitHandlerOptions,
  type SessionLimitProviderOptions,
  type SetPendingSignInCookie,
  sessionLimitProvider,
} from './session-limit.js';
export {
  isTrackedSession,
  type TrackedSession,
  type TrackedSessionFields,
  type TrackedSessionUser,
} from './session-types.js';
export type { RecentVerificationRequirement } from './step-up.js';
export {
  SessionEndedError,
  type SessionTrackingOptions,
  type TrackableAuthOptions,
  withSessionTracking,
} from './with-session-tracking.js';
