// Expiry arithmetic without React, so the hook only schedules and renders.

/** The longest delay setTimeout honours (2^31 - 1 ms, ~24.8 days); longer ones fire at once. */
export const MAX_TIMEOUT = 2_147_483_647;

export interface ExpiryPhase {
  isExpiringSoon: boolean;
  /** Milliseconds until expiry, never negative. */
  timeLeft: number;
  /** Milliseconds until `isExpiringSoon` next changes, or null when it never will again. */
  nextChangeIn: number | null;
}

export function expiryPhase(expiresAt: number, warnBefore: number, now: number): ExpiryPhase {
  const timeLeft = Math.max(0, expiresAt - now);
  const warnAt = expiresAt - warnBefore;
  if (now < warnAt) return { isExpiringSoon: false, timeLeft, nextChangeIn: warnAt - now };
  // Inside the warning window a timer for the expiry itself lets timeLeft reach 0.
  return { isExpiringSoon: true, timeLeft, nextChangeIn: timeLeft > 0 ? timeLeft : null };
}

/** `session.expiresAt` from next-auth's session: an ISO string over JSON, or a Date/epoch ms. */
export function parseExpiresAt(data: unknown): number | null {
  const value = (data as { expiresAt?: unknown } | null | undefined)?.expiresAt;
  if (typeof value !== 'string' && typeof value !== 'number' && !(value instanceof Date)) {
    return null;
  }
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}
