// A browser's cookie jar, reduced to what the end-to-end tests need: it applies
// Set-Cookie headers (a Max-Age=0 / past Expires / empty value deletes) and
// sends the rest back.

export interface SetCookie {
  name: string;
  value: string;
  /** Max-Age=0, an Expires in the past or an empty value: the browser deletes it. */
  expires: boolean;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  const name = pair.slice(0, eq).trim();
  const value = decodeURIComponent(pair.slice(eq + 1).trim());
  let expires = value === '';
  for (const attribute of attributes) {
    const [key = '', raw = ''] = attribute.split('=');
    const k = key.trim().toLowerCase();
    if (k === 'max-age' && Number(raw.trim()) <= 0) expires = true;
    if (k === 'expires' && Date.parse(raw.trim()) <= Date.now()) expires = true;
  }
  return { name, value, expires };
}

export class CookieJar {
  readonly #cookies = new Map<string, string>();

  apply(setCookies: readonly string[]): void {
    for (const header of setCookies) {
      const cookie = parseSetCookie(header);
      if (cookie.expires) this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, cookie.value);
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  has(name: string): boolean {
    return this.#cookies.has(name);
  }

  /** The `Cookie` request header. */
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  record(): Record<string, string> {
    return Object.fromEntries(this.#cookies);
  }
}

/** Whether the Set-Cookie headers delete the cookie `name` (or all its chunks `name.N`). */
export function clearsCookie(setCookies: readonly string[], name: string): boolean {
  const matching = setCookies
    .map(parseSetCookie)
    .filter((c) => c.name === name || c.name.startsWith(`${name}.`));
  return matching.length > 0 && matching.every((c) => c.expires);
}
