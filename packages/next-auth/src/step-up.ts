import {
  InvalidInputError,
  requireRecentVerification,
  type Session,
  VerificationRequiredError,
} from '@sessionkit/core';
import { type ApiResponse, error } from './route-helpers.js';

/**
 * Which session actions need a recent step-up verification (OWASP ASVS 5.0
 * §7.5.2), as the longest time in ms since the caller's session passed one
 * (`manager.markVerified()`). Each entry means exactly core's
 * `requireRecentVerification(session, maxAgeMs)` run before that action: the
 * handlers call it and answer its `VerificationRequiredError` with a 403 of the
 * same code. Actions left out need none — except that guarding
 * `revokeAll` guards revoking other sessions one by one too: otherwise the same
 * caller signs out every other device one `DELETE ?sessionId=` at a time.
 */
export interface RecentVerificationRequirement {
  /**
   * `DELETE /api/sessions?revokeAll=true` (sign out all other devices). Also the
   * default for `revoke`.
   */
  revokeAll?: number;
  /**
   * `DELETE /api/sessions?sessionId=` of another session (signing out the
   * current one is a sign-out and never needs it). `false` opts out explicitly
   * while `revokeAll` stays guarded.
   * @default the `revokeAll` window when that is set, else none
   */
  revoke?: number | false;
}

export interface ResolvedRequirement {
  revokeAll: number | null;
  revoke: number | null;
}

export function resolveRequirement(fn: string, value: unknown): ResolvedRequirement {
  if (value === undefined) return { revokeAll: null, revoke: null };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError(
      `${fn}: options.requireRecentVerification must be an object like { revokeAll: 5 * 60_000 }.`,
    );
  }
  const maxAge = (key: 'revokeAll' | 'revoke'): number | null => {
    const ms = (value as Record<string, unknown>)[key];
    if (ms === undefined) return null;
    if (ms === false && key === 'revoke') return null;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
      throw new InvalidInputError(
        `${fn}: options.requireRecentVerification.${key} must be a positive number of milliseconds${key === 'revoke' ? ' (or false to opt out)' : ''}.`,
      );
    }
    return ms;
  };
  const revokeAll = maxAge('revokeAll');
  const revoke =
    (value as Record<string, unknown>).revoke === undefined ? revokeAll : maxAge('revoke');
  return { revokeAll, revoke };
}

/** The 403 to send when the action needs a fresher verification than `current` has, else null. */
export function verificationRequired(
  current: Session,
  maxAgeMs: number | null,
  now: number,
): ApiResponse | null {
  if (maxAgeMs === null) return null;
  try {
    // The one meaning of "requires a recent verification", shared with apps' own actions.
    requireRecentVerification(current, maxAgeMs, now);
    return null;
  } catch (caught) {
    if (!(caught instanceof VerificationRequiredError)) throw caught;
    return error(
      403,
      caught.code,
      `Confirm it is you (e.g. with a two-factor code) and try again: this action needs a verification within the last ${describe(maxAgeMs)}.`,
    );
  }
}

function describe(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes >= 1) return minutes === 1 ? 'minute' : `${minutes} minutes`;
  const seconds = Math.max(1, Math.round(ms / 1000));
  return seconds === 1 ? 'second' : `${seconds} seconds`;
}
