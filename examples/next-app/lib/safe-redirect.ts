// No imports: used by server pages and server actions alike.

// Placeholder origin for the check: only whether a value stays on *some* one
// origin matters, and a relative path resolves against whichever it is given.
const BASE = 'http://sessionkit-example.invalid';

/**
 * The same-origin path to send the user to after signing in or a step-up
 * (`?callbackUrl=`, `?next=`), or `fallback`. An open redirect through these
 * would help phishers, and prefix checks are not enough: browsers drop tabs
 * and newlines from URLs and read `\` as `/`, so `/\t/evil.example` and
 * `/\\evil.example` both land on `//evil.example`. So control characters and
 * backslashes are refused, and what remains must resolve to the same origin.
 */
export function safeRedirectPath(value: unknown, fallback: string): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.length > 2048) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//evil.example` normalises to `//evil.example`: protocol-relative once on its own.
  return path.startsWith('//') ? fallback : path;
}
