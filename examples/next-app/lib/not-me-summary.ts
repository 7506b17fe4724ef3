import type { Session } from '@sessionkit/core';

// What the "This wasn't me" page shows to whoever holds the link, signed in or
// not (a forwarded email, a mail scanner, a shared inbox): the least that lets
// the account owner recognise the sign-in. Browser and OS, the country, and the
// day with a part of the day. Never the IP address, the city or the exact time:
// those would tell a stranger where the owner (or the attacker) was, and when.

export interface NotMeSummary {
  device: string;
  country: string | null;
  when: string;
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });
const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

function partOfDay(hour: number): string {
  if (hour < 6) return 'at night';
  if (hour < 12) return 'in the morning';
  if (hour < 18) return 'in the afternoon';
  return 'in the evening';
}

export function notMeSummary(session: Session): NotMeSummary {
  const { browser, os, type } = session.deviceInfo;
  const device =
    [browser, os].filter(Boolean).join(' on ') || (type === 'unknown' ? 'An unknown device' : type);
  const code = session.location?.country ?? null;
  let country: string | null = null;
  if (code !== null) {
    try {
      country = countryNames.of(code) ?? code;
    } catch {
      country = code;
    }
  }
  const at = session.createdAt;
  return { device, country, when: `${day.format(at)}, ${partOfDay(at.getUTCHours())} (UTC)` };
}
