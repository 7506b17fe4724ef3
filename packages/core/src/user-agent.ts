import UAParser from 'ua-parser-js';
import type { DeviceInfo, DeviceType } from './session.js';

/** User agents longer than this are truncated before they are parsed or stored. */
export const MAX_USER_AGENT_LENGTH = 4096;

const CACHE_SIZE = 500;
// Parsing runs only on create(), but sign-in storms repeat the same few agents:
// a small LRU keeps ua-parser-js's regex pass off the common case.
const cache = new Map<string, DeviceInfo>();

const BOT_PATTERN =
  /bot\b|crawl|spider|slurp|facebookexternalhit|\bcurl\/|\bwget\/|python-requests|go-http-client|okhttp|java\/|libwww|httpclient|axios\/|node-fetch|undici/i;

const DESKTOP_OSES = new Set([
  'Windows',
  'Mac OS',
  'macOS',
  'Linux',
  'Ubuntu',
  'Debian',
  'Fedora',
  'Chromium OS',
  'Chrome OS',
  'FreeBSD',
  'OpenBSD',
  'NetBSD',
  'Arch',
  'Mint',
  'Gentoo',
  'SUSE',
  'CentOS',
  'Red Hat',
]);

const PARSER_DEVICE_TYPES: Record<string, DeviceType> = {
  mobile: 'mobile',
  tablet: 'tablet',
  smarttv: 'tv',
  console: 'console',
  wearable: 'wearable',
  embedded: 'unknown',
};

/** Cuts a user agent to {@link MAX_USER_AGENT_LENGTH}; empty strings become null. */
export function truncateUserAgent(userAgent: string | null | undefined): string | null {
  if (typeof userAgent !== 'string') return null;
  const trimmed = userAgent.slice(0, MAX_USER_AGENT_LENGTH).trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Parses a user agent into {@link DeviceInfo} with ua-parser-js 1.x (MIT).
 * Unknown or missing agents give `type: 'unknown'` and null fields.
 */
export function parseUserAgent(userAgent: string | null | undefined): DeviceInfo {
  const ua = truncateUserAgent(userAgent);
  if (ua === null) {
    return { type: 'unknown', os: null, osVersion: null, browser: null, browserVersion: null };
  }
  const cached = cache.get(ua);
  if (cached) {
    // Refresh recency so hot agents stay cached.
    cache.delete(ua);
    cache.set(ua, cached);
    return { ...cached };
  }
  const info = parseUncached(ua);
  cache.set(ua, info);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return { ...info };
}

function parseUncached(ua: string): DeviceInfo {
  const result = new UAParser(ua).getResult();
  const os = result.os.name ?? null;
  const info: DeviceInfo = {
    type: deviceTypeOf(ua, result.device.type, os),
    os,
    osVersion: result.os.version ?? null,
    browser: result.browser.name ?? null,
    browserVersion: result.browser.version ?? null,
  };
  return info;
}

function deviceTypeOf(ua: string, parsed: string | undefined, os: string | null): DeviceType {
  if (BOT_PATTERN.test(ua)) return 'bot';
  if (parsed !== undefined) return PARSER_DEVICE_TYPES[parsed] ?? 'unknown';
  if (os !== null && DESKTOP_OSES.has(os)) return 'desktop';
  return 'unknown';
}
