import { normalizeIp } from './client-ip.js';
import type { GeoResolver } from './geo.js';
import { isNonPublicIp } from './geo.js';
import type { SessionLocation } from './session.js';

interface GeoipLite {
  lookup(
    ip: string,
  ): { country?: string; region?: string; city?: string; ll?: [number, number] } | null;
}

/**
 * A {@link GeoResolver} backed by `geoip-lite` (an optional peer dependency:
 * `npm i geoip-lite`). Nothing is loaded at import; the ~150 MB database loads on
 * the first lookup of a public address. Private and loopback addresses resolve
 * to null without loading it.
 *
 * @example
 * createSessionManager({ store, geo: createGeoipLiteResolver() })
 */
export function createGeoipLiteResolver(): GeoResolver {
  let loading: Promise<GeoipLite> | undefined;
  const load = () => {
    loading ??= import('geoip-lite').then(
      (mod) => ((mod as { default?: GeoipLite }).default ?? mod) as GeoipLite,
      (error: unknown) => {
        loading = undefined;
        throw new Error(
          "createGeoipLiteResolver() needs the optional peer dependency 'geoip-lite': install it with `npm i geoip-lite`.",
          { cause: error },
        );
      },
    );
    return loading;
  };

  return async (ipAddress: string): Promise<SessionLocation | null> => {
    const ip = normalizeIp(ipAddress);
    if (ip === null || isNonPublicIp(ip)) return null;
    const geoip = await load();
    const hit = geoip.lookup(ip);
    if (!hit) return null;
    const location: SessionLocation = {
      country: hit.country || null,
      region: hit.region || null,
      city: hit.city || null,
    };
    const [latitude, longitude] = hit.ll ?? [];
    if (typeof latitude === 'number' && typeof longitude === 'number') {
      location.latitude = latitude;
      location.longitude = longitude;
    }
    return location;
  };
}

export type { GeoResolver } from './geo.js';
