import type { SessionLocation, SuspiciousLoginReason } from './session.js';

/** Options of the suspicious-login check run at every sign-in. */
export interface SuspiciousLoginOptions {
  /**
   * `'allow'`: only emit `suspiciousLogin`; `'flag'`: also record `risk` on the
   * session (shown in `<SessionManagement />`); `'reject'`: refuse the sign-in with
   * `SuspiciousLoginError`; `'challenge'`: create the session with `risk` and
   * `verificationRequired` unless the device is trusted (it passed a verification
   * before and was not forgotten): sensitive actions are refused until
   * `markVerified()`. @default 'flag'
   */
  policy?: 'allow' | 'flag' | 'reject' | 'challenge';
  /** Flag a sign-in from a country none of the user's retained sessions came from. @default true */
  newCountry?: boolean;
  /** Flag travel faster than this (km/h) since the previous session's last activity; false to disable. @default 1000 */
  maxTravelSpeedKmh?: number | false;
  /** Flag more than `maxLogins` sign-ins within `windowMs`; false to disable. @default { maxLogins: 5, windowMs: 600_000 } */
  burst?: { maxLogins: number; windowMs: number } | false;
}

export interface ResolvedSuspiciousLogin {
  policy: 'allow' | 'flag' | 'reject' | 'challenge';
  newCountry: boolean;
  maxTravelSpeedKmh: number | null;
  burst: { maxLogins: number; windowMs: number } | null;
}

/** What the check looks at in a prior session. */
export interface PriorLogin {
  createdAt: Date;
  lastActivityAt: Date;
  location: SessionLocation | null;
}

// Below this distance coordinates are geo-IP noise, not travel.
const MIN_TRAVEL_KM = 300;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: SessionLocation, b: SessionLocation): number | null {
  if (
    typeof a.latitude !== 'number' ||
    typeof a.longitude !== 'number' ||
    typeof b.latitude !== 'number' ||
    typeof b.longitude !== 'number'
  ) {
    return null;
  }
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Compares a sign-in with the user's recent sessions and returns why it looks
 * suspicious (empty when it does not). Pure: no I/O, no clock.
 */
export function assessLogin(
  login: { at: Date; location: SessionLocation | null },
  prior: readonly PriorLogin[],
  options: ResolvedSuspiciousLogin,
): SuspiciousLoginReason[] {
  const reasons: SuspiciousLoginReason[] = [];
  const country = login.location?.country ?? null;

  if (options.newCountry && country !== null) {
    const knownCountries = new Set(
      prior.map((p) => p.location?.country).filter((c): c is string => typeof c === 'string'),
    );
    if (knownCountries.size > 0 && !knownCountries.has(country)) reasons.push('new_country');
  }

  if (options.maxTravelSpeedKmh !== null && login.location) {
    const previous = [...prior]
      .filter((p) => p.location && typeof p.location.latitude === 'number')
      .sort((a, b) => b.lastActivityAt.getTime() - a.lastActivityAt.getTime())[0];
    const km = previous?.location ? distanceKm(previous.location, login.location) : null;
    if (previous && km !== null && km >= MIN_TRAVEL_KM) {
      const hours =
        Math.max(login.at.getTime() - previous.lastActivityAt.getTime(), 60_000) / 3_600_000;
      if (km / hours > options.maxTravelSpeedKmh) reasons.push('impossible_travel');
    }
  }

  if (options.burst !== null) {
    const since = login.at.getTime() - options.burst.windowMs;
    const recent = prior.filter((p) => p.createdAt.getTime() > since).length + 1;
    if (recent > options.burst.maxLogins) reasons.push('login_burst');
  }

  return reasons;
}
