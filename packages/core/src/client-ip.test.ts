import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getClientIp, normalizeIp, readHeader } from './client-ip.js';

const xff = (value: string) => new Headers({ 'x-forwarded-for': value });

describe('getClientIp()', () => {
  it('ignores X-Forwarded-For when trustProxy is false', () => {
    expect(getClientIp(xff('203.0.113.1'), false)).toBeNull();
  });

  it('takes the n-th address from the right for trustProxy: n', () => {
    const headers = xff('198.51.100.1, 203.0.113.2, 192.0.2.3');
    expect(getClientIp(headers, 1)).toBe('192.0.2.3');
    expect(getClientIp(headers, 2)).toBe('203.0.113.2');
    expect(getClientIp(headers, 3)).toBe('198.51.100.1');
    expect(getClientIp(headers, 4)).toBeNull();
  });

  it('takes the leftmost address for trustProxy: true', () => {
    expect(getClientIp(xff(' 198.51.100.1 ,203.0.113.2'), true)).toBe('198.51.100.1');
  });

  it('never returns a spoofed entry beyond the trusted hops', () => {
    fc.assert(
      fc.property(
        fc.array(fc.ipV4(), { minLength: 1, maxLength: 20 }),
        fc.ipV4(),
        fc.integer({ min: 1, max: 3 }),
        (spoofed, real, hops) => {
          const proxies = Array.from({ length: hops - 1 }, (_, i) => `10.0.0.${i + 1}`);
          const header = [...spoofed, real, ...proxies].join(', ');
          expect(getClientIp(xff(header), hops)).toBe(real);
        },
      ),
    );
  });

  it('handles a header with thousands of hops in bounded time', () => {
    const header = Array.from({ length: 5000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.1`).join(
      ', ',
    );
    const started = performance.now();
    expect(getClientIp(xff(`${header}, 203.0.113.9`), 1)).toBe('203.0.113.9');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('reads Node-style header records, including repeated headers', () => {
    expect(getClientIp({ 'X-Forwarded-For': ['198.51.100.1', '203.0.113.2'] }, 1)).toBe(
      '203.0.113.2',
    );
    expect(getClientIp({ 'x-forwarded-for': undefined }, 1)).toBeNull();
    expect(getClientIp(undefined, 1)).toBeNull();
  });

  it('returns null for garbage instead of storing it', () => {
    expect(getClientIp(xff('not-an-ip'), 1)).toBeNull();
    expect(getClientIp(xff('1.2.3.4, <script>'), 1)).toBeNull();
  });
});

describe('normalizeIp()', () => {
  it.each([
    ['203.0.113.5', '203.0.113.5'],
    ['203.0.113.5:8080', '203.0.113.5'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['[2001:DB8::1]:443', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each(['', 'localhost', '999.1.1.1', '1.2.3', 'x'.repeat(100), '2001:db8::1::2'])(
    'rejects %j',
    (input) => {
      expect(normalizeIp(input)).toBeNull();
    },
  );

  it('is idempotent and always yields a valid address or null', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), (input) => {
        const once = normalizeIp(input);
        if (once !== null) expect(normalizeIp(once)).toBe(once);
      }),
    );
  });
});

describe('readHeader()', () => {
  it('is case-insensitive for records and works with Headers', () => {
    expect(readHeader({ 'User-Agent': 'x' }, 'user-agent')).toBe('x');
    expect(readHeader(new Headers({ 'user-agent': 'y' }), 'User-Agent')).toBe('y');
    expect(readHeader(null, 'user-agent')).toBeNull();
  });
});
