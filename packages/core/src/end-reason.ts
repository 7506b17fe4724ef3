// What a signed-out device may be told about why its session ended. The stored
// end reason (`Session.endReason`) can be any string a caller passed to revoke();
// the client only ever sees one of these fixed public codes, so nothing about
// other sessions or about the app's internal reasons reaches the browser.

/** The public, client-facing reason a session ended. */
export type SessionEndReasonCode =
  | 'signed_out_elsewhere'
  | 'signed_out_everywhere'
  | 'signed_out'
  | 'expired'
  | 'inactive'
  | 'too_many_devices'
  | 'security'
  | 'idp_logout'
  | 'replaced'
  | 'password_changed'
  | 'email_changed'
  | 'mfa_changed'
  | 'account_deleted'
  | 'ended';

/** A public end reason: a stable code and a default English message to show. */
export interface PublicEndReason {
  code: SessionEndReasonCode;
  message: string;
}

/** The default English message of each public code. Apps translate by code. */
export const SESSION_END_MESSAGES: Readonly<Record<SessionEndReasonCode, string>> = {
  signed_out_elsewhere: 'You were signed out from another device.',
  signed_out_everywhere: 'You signed out everywhere.',
  signed_out: 'You signed out.',
  expired: 'Your session expired. Please sign in again.',
  inactive: 'You were signed out after a period of inactivity.',
  too_many_devices: 'Too many devices: your oldest session was ended.',
  security: 'You were signed out for your security.',
  idp_logout: 'Your identity provider ended the session.',
  replaced: 'You signed in again, which ended this session.',
  password_changed: 'Your password was changed, so you were signed out.',
  email_changed: 'Your email address was changed, so you were signed out.',
  mfa_changed: 'Your two-factor settings were changed, so you were signed out.',
  account_deleted: 'Your account was deleted.',
  ended: 'Your session ended. Please sign in again.',
};

/**
 * Stored end reasons sessionkit and its documented patterns write, and the
 * public code each maps to. Anything else (a caller's own reason) is `ended`.
 */
const PUBLIC_CODE_OF: Readonly<Record<string, SessionEndReasonCode>> = {
  revoked_by_user: 'signed_out_elsewhere',
  // The "sign out all other devices" route handler records this one.
  revoked_all: 'signed_out_everywhere',
  logged_out: 'signed_out',
  expired: 'expired',
  idle_timeout: 'inactive',
  session_limit: 'too_many_devices',
  refresh_token_reuse: 'security',
  // "This wasn't me" reports: the example app's name and the shorter one.
  reported_not_me: 'security',
  not_me: 'security',
  idp_logout: 'idp_logout',
  replaced: 'replaced',
  password_changed: 'password_changed',
  email_changed: 'email_changed',
  mfa_changed: 'mfa_changed',
  account_deleted: 'account_deleted',
};

/**
 * The stored end reasons with a public code of their own (everything else maps
 * to `ended`). Pass one of these as `reason` to `revoke()` / `revokeAll()` and
 * the signed-out device is told why.
 */
export const KNOWN_END_REASONS: readonly string[] = Object.keys(PUBLIC_CODE_OF);

/** Whether a value is one of the public {@link SessionEndReasonCode}s. */
export function isSessionEndReasonCode(value: unknown): value is SessionEndReasonCode {
  return typeof value === 'string' && Object.hasOwn(SESSION_END_MESSAGES, value);
}

/**
 * The public reason for a stored end reason: a fixed code and its default
 * message. Unknown and caller-specific reasons map to `ended`, so an app's own
 * reason strings never reach the client.
 *
 * @example
 * publicEndReason('session_limit')
 * // { code: 'too_many_devices', message: 'Too many devices: your oldest session was ended.' }
 */
export function publicEndReason(reason: string | null | undefined): PublicEndReason {
  const code =
    typeof reason === 'string' && Object.hasOwn(PUBLIC_CODE_OF, reason)
      ? (PUBLIC_CODE_OF[reason] as SessionEndReasonCode)
      : 'ended';
  return { code, message: SESSION_END_MESSAGES[code] };
}
