// Drives next-auth v5's real route handlers, `NextAuth(config).handlers.GET/POST`,
// with real `Request`s, the way the App Router calls them.
import { CookieJar } from './cookie-jar.js';

export const V5_SESSION_COOKIE = 'authjs.session-token';
export const ORIGIN = 'http://localhost:3000';

type Handler = (request: Request) => Promise<Response>;

export interface V5Response {
  status: number;
  setCookies: string[];
  body: unknown;
  location: string | null;
}

/** A browser talking to a v5 app whose `app/api/auth/[...nextauth]/route.ts` exports `handlers`. */
export class V5Browser {
  readonly jar = new CookieJar();

  constructor(
    private readonly handlers: { GET: Handler; POST: Handler },
    private readonly userAgent = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
    private readonly ip = '203.0.113.9',
  ) {}

  headers(extra: Record<string, string> = {}): Headers {
    const headers = new Headers({
      host: 'localhost:3000',
      'user-agent': this.userAgent,
      'x-forwarded-for': this.ip,
      ...extra,
    });
    const cookie = this.jar.header();
    if (cookie) headers.set('cookie', cookie);
    return headers;
  }

  async send(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
  ): Promise<V5Response> {
    const headers = this.headers(
      form ? { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN } : {},
    );
    const request = new Request(new URL(path, ORIGIN), {
      method,
      headers,
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const response = await (method === 'GET' ? this.handlers.GET : this.handlers.POST)(request);
    const setCookies = response.headers.getSetCookie();
    this.jar.apply(setCookies);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return {
      status: response.status,
      setCookies,
      body,
      location: response.headers.get('location'),
    };
  }

  async csrfToken(): Promise<string> {
    const { body } = await this.send('GET', '/api/auth/csrf');
    return (body as { csrfToken: string }).csrfToken;
  }

  async signIn(credentials: Record<string, string>): Promise<V5Response> {
    const csrfToken = await this.csrfToken();
    return this.send('POST', '/api/auth/callback/credentials', {
      ...credentials,
      csrfToken,
      callbackUrl: ORIGIN,
    });
  }

  async signOut(): Promise<V5Response> {
    const csrfToken = await this.csrfToken();
    return this.send('POST', '/api/auth/signout', { csrfToken, callbackUrl: ORIGIN });
  }

  /** `GET /api/auth/session`, what `useSession()` fetches. */
  session(): Promise<V5Response> {
    return this.send('GET', '/api/auth/session');
  }
}
