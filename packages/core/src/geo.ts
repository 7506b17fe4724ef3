import { BlockList } from 'node:net';
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

const nonPublic = new BlockList();
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
  nonPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

/** Whether an address is private, loopback, link-local or otherwise not routable on the internet. */
export function isNonPublicIp(ip: string): boolean {
  try {
    return nonPublic.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
  } catch {
    return true;
  }
}
