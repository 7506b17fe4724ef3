import { existsSync, readFileSync } from 'node:fs';
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

describe('createGeoipLiteResolver() without geoip-lite installed', () => {
  it('resolves every lookup to null ("no location") after one warning', async () => {
    vi.doMock('geoip-lite', () => {
      throw new Error("Cannot find package 'geoip-lite'");
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { createGeoipLiteResolver } = await import('./geoip.js');
      const resolve = createGeoipLiteResolver();
      expect(await resolve('8.8.8.8')).toBeNull();
      expect(await resolve('1.1.1.1')).toBeNull();
      expect(warn).toHaveBeenCalledOnce();
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/npm i geoip-lite/);
    } finally {
      warn.mockRestore();
    }
  });

  // What bundlers see is the published build: no literal import of geoip-lite
  // for them to resolve at build time, and the ignore hints kept.
  const built = new URL('../dist/geoip.js', import.meta.url);
  it.skipIf(!existsSync(built))('leaves the import opaque to bundlers in the build', () => {
    for (const file of ['../dist/geoip.js', '../dist/geoip.cjs']) {
      const code = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(code).not.toMatch(/(import|require)\(\s*['"]geoip-lite['"]/);
      expect(code).toMatch(/webpackIgnore: true/);
      expect(code).toMatch(/turbopackIgnore: true/);
    }
  });
});
