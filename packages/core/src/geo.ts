import { BlockList } from 'node:net';
import { GeoBlockedError } from './errors.js';
import type { SessionKitLogger } from './events.js';
import type { SessionLocation } from './session.js';

/**
 * Resolves an IP address to a location, synchronously or not. Return null when
 * unknown. Errors are logged and treated as unknown.
 */
export type GeoResolver = (
  ipAddress: string,
) => SessionLocation | null | Promise<SessionLocation | null>;

/** Country allow/block lists applied at sign-in (ISO 3166-1 alpha-2 codes). */
export interface GeoPolicy {
  /** Only these countries may sign in. Unknown locations are refused unless `allowUnknown`. */
  allowCountries?: string[];
  /** These countries may not sign in. */
  blockCountries?: string[];
  /**
   * With `allowCountries`, let sign-ins whose country cannot be resolved through.
   * @default false
   */
  allowUnknown?: boolean;
}

// Built on first use, not at import: importing core must construct nothing from
// node:net, or on the Edge runtime the import itself fails before
// createSessionManager() can throw its EdgeRuntimeError naming the fix.
let nonPublicList: BlockList | undefined;
function nonPublic(): BlockList {
  if (nonPublicList) return nonPublicList;
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  nonPublicList = list;
  return list;
}

/** Whether an address is private, loopback, link-local or otherwise not routable on the internet. */
export function isNonPublicIp(ip: string): boolean {
  try {
    return nonPublic().check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  } catch {
    return true;
  }
}

/** A {@link GeoPolicy} as resolveOptions() checked and normalised it (upper-case codes). */
export interface ResolvedGeoPolicy {
  allow: Set<string> | null;
  block: Set<string>;
  allowUnknown: boolean;
}

/**
 * The location of a sign-in's IP, or null when unknown. Whatever the resolver
 * returns is cut down to the {@link SessionLocation} shape (bounded strings,
 * upper-case country, coordinates only when in range); a failing resolver is
 * logged and means unknown, never a failed sign-in.
 */
export async function locate(
  geo: GeoResolver | null,
  ipAddress: string | null,
  logger: SessionKitLogger,
): Promise<SessionLocation | null> {
  if (ipAddress === null || geo === null) return null;
  try {
    const location = await geo(ipAddress);
    if (!location || typeof location !== 'object') return null;
    const field = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 100) : null);
    const country = field(location.country);
    const resolved: SessionLocation = {
      country: country === null ? null : country.toUpperCase(),
      region: field(location.region),
      city: field(location.city),
    };
    const { latitude, longitude } = location;
    if (
      typeof latitude === 'number' &&
      typeof longitude === 'number' &&
      Math.abs(latitude) <= 90 &&
      Math.abs(longitude) <= 180
    ) {
      resolved.latitude = latitude;
      resolved.longitude = longitude;
    }
    return resolved;
  } catch (error) {
    logger.warn(
      `[sessionkit] geo lookup failed; the location is recorded as unknown: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  }
}

/** Throws GeoBlockedError when the policy refuses a sign-in from this location. */
export function checkGeoPolicy(
  policy: ResolvedGeoPolicy | null,
  location: SessionLocation | null,
): void {
  if (policy === null) return;
  const country = location?.country ?? null;
  if (country === null) {
    if (policy.allow !== null && !policy.allowUnknown) throw new GeoBlockedError(null);
    return;
  }
  if (policy.block.has(country) || (policy.allow !== null && !policy.allow.has(country))) {
    throw new GeoBlockedError(country);
  }
}
