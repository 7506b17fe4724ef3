import type { SessionEndReasonCode } from '@sessionkit/core';

// The public codes, for checking what the server sent. React imports no server
// code (core's index pulls in node:crypto), so the list is repeated here; a
// test pins it to core's SESSION_END_MESSAGES.
export const END_REASON_CODES: readonly SessionEndReasonCode[] = [
  'signed_out_elsewhere',
  'signed_out_everywhere',
  'signed_out',
  'expired',
  'inactive',
  'too_many_devices',
  'security',
  'idp_logout',
  'replaced',
  'password_changed',
  'email_changed',
  'mfa_changed',
  'account_deleted',
  'ended',
];

export function isSessionEndReasonCode(value: unknown): value is SessionEndReasonCode {
  return typeof value === 'string' && (END_REASON_CODES as readonly string[]).includes(value);
}
