import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from './safe-redirect';

const FALLBACK = '/fallback';

describe('safeRedirectPath', () => {
  it('keeps same-origin paths with their query and hash', () => {
    expect(safeRedirectPath('/contacts', FALLBACK)).toBe('/contacts');
    expect(safeRedirectPath('/contacts?tab=2#notes', FALLBACK)).toBe('/contacts?tab=2#notes');
    expect(safeRedirectPath(['/settings/sessions', '/x'], FALLBACK)).toBe('/settings/sessions');
  });

  it.each([
    ['a tab between slashes (?callbackUrl=/%09/evil.example)', '/\t/evil.example'],
    ['a newline between slashes (/%0A/…)', '/\n/evil.example'],
    ['a carriage return', '/\r/evil.example'],
    ['a NUL', '/\u0000/evil.example'],
    ['DEL', '/\u007f/evil.example'],
    ['a backslash', '/\\evil.example'],
    ['a backslash later on', '/\\/evil.example'],
    ['protocol-relative', '//evil.example'],
    ['protocol-relative with a path', '//evil.example/login'],
    ['an absolute URL', 'https://evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path without a slash', 'evil.example'],
    ['an empty string', ''],
    ['a leading space', ' /contacts'],
  ])('refuses %s', (_name, value) => {
    expect(safeRedirectPath(value, FALLBACK)).toBe(FALLBACK);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 5, {}, []]) {
      expect(safeRedirectPath(value, FALLBACK)).toBe(FALLBACK);
    }
  });

  it('every value it returns resolves to the same origin as the page, in a browser-like parser', () => {
    const origin = 'https://app.example.com';
    for (const value of [
      '/a',
      '/%2F/evil.example',
      '/%09/evil.example',
      '/.//evil.example',
      '/..//evil.example',
    ]) {
      const path = safeRedirectPath(value, FALLBACK);
      expect(new URL(path, origin).origin).toBe(origin);
    }
  });
});
