import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('geoip-lite');
  vi.resetModules();
});

describe('createGeoipLiteResolver()', () => {
  it('loads geoip-lite only on the first public lookup, never at import', async () => {
    const lookup = vi.fn(() => ({ country: 'US', region: 'CA', city: 'Mountain View' }));
    const loaded = vi.fn();
    vi.doMock('geoip-lite', () => {
      loaded();
      return { default: { lookup } };
    });
    const { createGeoipLiteResolver } = await import('./geoip.js');
    const resolve = createGeoipLiteResolver();
    expect(loaded).not.toHaveBeenCalled();
    expect(await resolve('127.0.0.1')).toBeNull();
    expect(await resolve('192.168.1.20')).toBeNull();
    expect(await resolve('::1')).toBeNull();
    expect(await resolve('fd00::1')).toBeNull();
    expect(loaded).not.toHaveBeenCalled();
    expect(await resolve('8.8.8.8')).toEqual({
      country: 'US',
      region: 'CA',
      city: 'Mountain View',
    });
    expect(await resolve('1.1.1.1')).toEqual({
      country: 'US',
      region: 'CA',
      city: 'Mountain View',
    });
    expect(loaded).toHaveBeenCalledOnce();
  });

  it('maps a miss and empty fields to null', async () => {
    vi.doMock('geoip-lite', () => ({
      default: {
        lookup: (ip: string) => (ip === '8.8.4.4' ? { country: 'US', region: '', city: '' } : null),
      },
    }));
    const { createGeoipLiteResolver } = await import('./geoip.js');
    const resolve = createGeoipLiteResolver();
    expect(await resolve('203.0.113.1')).toBeNull();
    expect(await resolve('8.8.4.4')).toEqual({ country: 'US', region: null, city: null });
    expect(await resolve('not an ip')).toBeNull();
  });

  it('resolves a real public address with the real geoip-lite database', async () => {
    const { createGeoipLiteResolver } = await import('./geoip.js');
    const location = await createGeoipLiteResolver()('8.8.8.8');
    expect(location?.country).toBe('US');
  }, 20_000);
});
