import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_USER_AGENT_LENGTH, parseUserAgent, truncateUserAgent } from './user-agent.js';

const AGENTS = {
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  curl: 'curl/8.5.0',
  playstation:
    'Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  smartTv:
    'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
};

describe('parseUserAgent()', () => {
  it('recognises common desktop, mobile and tablet browsers', () => {
    expect(parseUserAgent(AGENTS.chromeWindows)).toMatchObject({
      type: 'desktop',
      os: 'Windows',
      browser: 'Chrome',
      browserVersion: '126.0.0.0',
    });
    expect(parseUserAgent(AGENTS.safariIphone)).toMatchObject({
      type: 'mobile',
      os: 'iOS',
      osVersion: '17.5',
      browser: 'Mobile Safari',
    });
    expect(parseUserAgent(AGENTS.ipad)).toMatchObject({ type: 'tablet', os: 'iOS' });
    expect(parseUserAgent(AGENTS.firefoxLinux)).toMatchObject({
      type: 'desktop',
      os: 'Linux',
      browser: 'Firefox',
    });
  });

  it('recognises bots, consoles and TVs', () => {
    expect(parseUserAgent(AGENTS.googlebot).type).toBe('bot');
    expect(parseUserAgent(AGENTS.curl).type).toBe('bot');
    expect(parseUserAgent(AGENTS.playstation).type).toBe('console');
    expect(parseUserAgent(AGENTS.smartTv).type).toBe('tv');
  });

  it('gives unknown with null fields for a missing or empty agent', () => {
    const unknown = {
      type: 'unknown',
      os: null,
      osVersion: null,
      browser: null,
      browserVersion: null,
    };
    expect(parseUserAgent(null)).toEqual(unknown);
    expect(parseUserAgent('   ')).toEqual(unknown);
  });

  it('returns a fresh object from the cache each time', () => {
    const first = parseUserAgent(AGENTS.chromeWindows);
    first.browser = 'tampered';
    expect(parseUserAgent(AGENTS.chromeWindows).browser).toBe('Chrome');
  });

  it('handles a 1 MB agent in bounded time by parsing only the first 4 KB', () => {
    const huge = `${AGENTS.chromeWindows} ${'a'.repeat(1024 * 1024)}`;
    const started = performance.now();
    expect(parseUserAgent(huge).browser).toBe('Chrome');
    expect(performance.now() - started).toBeLessThan(250);
    expect(truncateUserAgent(huge)).toHaveLength(MAX_USER_AGENT_LENGTH);
  });

  it('never throws and always yields a known device type', () => {
    const types = ['desktop', 'mobile', 'tablet', 'tv', 'console', 'wearable', 'bot', 'unknown'];
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (ua) => {
        expect(types).toContain(parseUserAgent(ua).type);
      }),
    );
  });
});
