import { normalizeIp } from './client-ip.js';
import type { GeoResolver } from './geo.js';
import { isNonPublicIp } from './geo.js';
import type { SessionLocation } from './session.js';

interface GeoipLite {
  lookup(
    ip: string,
  ): { country?: string; region?: string; city?: string; ll?: [number, number] } | null;
}

// Hidden from bundlers: a literal `import('geoip-lite')` makes webpack and
// Turbopack resolve it at build time, so an app without the optional peer
// fails `next build` ("Module not found: Can't resolve 'geoip-lite'"). Left to
// Node.js at run time, it resolves from the app's node_modules when installed.
const GEOIP_LITE = 'geoip-lite';
const importOptional = (specifier: string): Promise<unknown> =>
  import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ specifier);

/**
 * A {@link GeoResolver} backed by `geoip-lite` (an optional peer dependency:
 * `npm i geoip-lite`). Nothing is loaded at import; the ~150 MB database loads on
 * the first lookup of a public address. Private and loopback addresses resolve
 * to null without loading it. Without geoip-lite installed every lookup
 * resolves to null ("no location") after one warning.
 *
 * @example
 * createSessionManager({ store, geo: createGeoipLiteResolver() })
 */
export function createGeoipLiteResolver(): GeoResolver {
  let loading: Promise<GeoipLite | null> | undefined;
  const load = () => {
    loading ??= importOptional(GEOIP_LITE).then(
      (mod) => ((mod as { default?: GeoipLite }).default ?? mod) as GeoipLite,
      (error: unknown) => {
        console.warn(
          "sessionkit: createGeoipLiteResolver() could not load the optional peer dependency 'geoip-lite', so sessions get no location. Install it with `npm i geoip-lite`, or drop the `geo` option.",
          error instanceof Error ? error.message : error,
        );
        return null;
      },
    );
    return loading;
  };

  return async (ipAddress: string): Promise<SessionLocation | null> => {
    const ip = normalizeIp(ipAddress);
    if (ip === null || isNonPublicIp(ip)) return null;
    const geoip = await load();
    const hit = geoip?.lookup(ip);
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
