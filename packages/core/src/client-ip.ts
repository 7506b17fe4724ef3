import { isIP } from 'node:net';

/**
 * Request headers as sessionkit accepts them: a web `Headers`, anything with a
 * `get(name)` method, or a Node.js `IncomingHttpHeaders`-style record.
 */
export type HeadersLike =
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>;

/**
 * How far to trust `X-Forwarded-For`, as in Express: `false` ignores it; a number
 * `n` takes the n-th address from the right (the one your n-th trusted proxy saw);
 * `true` takes the leftmost (only behind proxies that overwrite the header).
 */
export type TrustProxy = boolean | number;

// Bounds the work on hostile headers: hundreds of hops are fine, megabytes are cut.
const MAX_FORWARDED_LENGTH = 8192;

/** Reads one header from any {@link HeadersLike}; repeated headers are joined with ", ". */
export function readHeader(headers: HeadersLike | null | undefined, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null | undefined }).get(name);
    return typeof value === 'string' ? value : null;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const lower = name.toLowerCase();
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== lower) continue;
    const value = record[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(', ');
  }
  return null;
}

/**
 * The client's IP address from request headers under a {@link TrustProxy}
 * policy, normalised, or null. Addresses beyond the trusted hops are never read.
 */
export function getClientIp(
  headers: HeadersLike | null | undefined,
  trustProxy: TrustProxy,
): string | null {
  if (trustProxy === false || trustProxy === 0) return null;
  const header = readHeader(headers, 'x-forwarded-for');
  if (header === null) return null;
  const forwarded = header.slice(-MAX_FORWARDED_LENGTH);
  if (trustProxy === true) {
    // The leftmost entry; when the header was cut, the true leftmost is gone.
    if (forwarded.length < header.length) return null;
    const comma = forwarded.indexOf(',');
    return normalizeIp(comma === -1 ? forwarded : forwarded.slice(0, comma));
  }
  return normalizeIp(nthFromRight(forwarded, trustProxy));
}

function nthFromRight(list: string, n: number): string | null {
  let end = list.length;
  for (let i = 1; i <= n; i++) {
    const comma = list.lastIndexOf(',', end - 1);
    if (i === n) return list.slice(comma + 1, end);
    if (comma === -1) return null;
    end = comma;
  }
  return null;
}

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const BRACKETED_IPV6 = /^\[([^\]]+)\](?::\d{1,5})?$/;
const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * Normalises an address: trims, strips brackets, ports and zone ids, unwraps
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4` → `1.2.3.4`) and writes IPv6 in its
 * canonical compressed lower-case form. Returns null for anything not an IP.
 */
export function normalizeIp(value: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  let ip = value.trim();
  if (ip === '' || ip.length > 64) return null;
  const bracketed = BRACKETED_IPV6.exec(ip);
  if (bracketed?.[1]) ip = bracketed[1];
  const withPort = IPV4_WITH_PORT.exec(ip);
  if (withPort?.[1]) ip = withPort[1];
  const zone = ip.indexOf('%');
  if (zone !== -1) ip = ip.slice(0, zone);
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version !== 6) return null;
  // WHATWG URL serialises IPv6 canonically (RFC 5952: lower case, longest zero run compressed).
  const canonical = new URL(`http://[${ip}]`).hostname.slice(1, -1);
  const mapped = MAPPED_IPV4.exec(canonical);
  if (mapped?.[1] && mapped[2]) {
    const high = Number.parseInt(mapped[1], 16);
    const low = Number.parseInt(mapped[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return canonical;
}
