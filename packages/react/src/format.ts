import type { Session } from '@sessionkit/core';
import type { SessionManagementLabels } from './labels.js';

type Locale = string | string[] | undefined;

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 31_536_000_000],
  ['month', 2_592_000_000],
  ['week', 604_800_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "yesterday", "now", in the given locale. */
export function formatRelative(date: Date, now: number, locale: Locale): string {
  const diff = date.getTime() - now;
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return format.format(Math.round(diff / ms), unit);
  }
  return format.format(0, 'second');
}

export function formatDate(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function deviceName(session: Session, labels: SessionManagementLabels): string {
  const { browser, os } = session.deviceInfo ?? {};
  return labels.deviceName(browser || labels.unknownBrowser, os || labels.unknownOs);
}

/** "Berlin, Germany": city, region and the country's name in the given locale. */
export function formatLocation(session: Session, locale: Locale): string | null {
  const { city, region, country } = session.location ?? {};
  let countryName = country;
  if (country) {
    try {
      countryName = new Intl.DisplayNames(locale, { type: 'region' }).of(country) ?? country;
    } catch {
      // Not a region code Intl knows: show it as given.
    }
  }
  const parts = [city, region !== city ? region : null, countryName].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : null;
}
