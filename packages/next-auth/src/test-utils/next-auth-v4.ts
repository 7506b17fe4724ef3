// Drives next-auth v4's real Pages Router handler, `NextAuth(req, res, options)`,
// the way Next.js's API resolver would: parsed query, body and cookies in,
// status, headers and Set-Cookie out.
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthOptions } from 'next-auth';
import NextAuth, { getServerSession } from 'next-auth';
import { CookieJar } from './cookie-jar.js';

export const V4_SESSION_COOKIE = 'next-auth.session-token';
export const ORIGIN = 'http://localhost:3000';

export interface FakeApiRequest {
  method: string;
  url: string;
  query: Record<string, string | string[]>;
  body: Record<string, string> | undefined;
  cookies: Record<string, string>;
  headers: IncomingHttpHeaders;
}

export interface CapturedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  setCookies: string[];
  body: unknown;
  redirect: string | null;
}

export function createFakeResponse() {
  const headers: Record<string, string | string[]> = {};
  let status = 200;
  let body: unknown;
  let ended = false;
  const res = {
    statusCode: 200,
    status(code: number) {
      status = code;
      res.statusCode = code;
      return res;
    },
    setHeader(name: string, value: string | string[]) {
      headers[name.toLowerCase()] = value;
      return res;
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
    appendHeader(name: string, value: string) {
      const key = name.toLowerCase();
      const prior = headers[key];
      headers[key] =
        prior === undefined ? [value] : [...(Array.isArray(prior) ? prior : [prior]), value];
      return res;
    },
    send(payload: unknown) {
      body = typeof payload === 'string' ? tryJson(payload) : payload;
      ended = true;
    },
    json(payload: unknown) {
      body = payload;
      ended = true;
    },
    end(payload?: string) {
      if (payload !== undefined) body = tryJson(payload);
      ended = true;
    },
  };
  const result = (): CapturedResponse => {
    const raw = headers['set-cookie'];
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const location = headers.location;
    return {
      status: res.statusCode === 200 ? status : res.statusCode,
      headers,
      setCookies,
      body,
      redirect: typeof location === 'string' ? location : null,
    };
  };
  return { res, result, isEnded: () => ended };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A browser talking to a v4 app whose `[...nextauth]` API route is `handler`. */
export class V4Browser {
  readonly jar = new CookieJar();

  constructor(
    private readonly handler: (
      req: FakeApiRequest,
      res: ReturnType<typeof createFakeResponse>['res'],
    ) => Promise<unknown>,
    private readonly userAgent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    private readonly ip = '198.51.100.23',
  ) {}

  request(method: string, path: string, body?: Record<string, string>): FakeApiRequest {
    const url = new URL(path, ORIGIN);
    const action = url.pathname
      .replace(/^\/api\/auth\/?/, '')
      .split('/')
      .filter(Boolean);
    return {
      method,
      url: `${url.pathname}${url.search}`,
      query: { ...Object.fromEntries(url.searchParams), nextauth: action },
      body,
      cookies: this.jar.record(),
      headers: {
        host: 'localhost:3000',
        'user-agent': this.userAgent,
        'x-forwarded-for': this.ip,
        cookie: this.jar.header(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    };
  }

  async send(
    method: string,
    path: string,
    body?: Record<string, string>,
  ): Promise<CapturedResponse> {
    const { res, result } = createFakeResponse();
    await this.handler(this.request(method, path, body), res);
    const captured = result();
    this.jar.apply(captured.setCookies);
    return captured;
  }

  async signIn(credentials: Record<string, string>): Promise<CapturedResponse> {
    const csrf = await this.send('GET', '/api/auth/csrf');
    const csrfToken = (csrf.body as { csrfToken: string }).csrfToken;
    return this.send('POST', '/api/auth/callback/credentials', {
      ...credentials,
      csrfToken,
      callbackUrl: ORIGIN,
      json: 'true',
    });
  }

  async signOut(): Promise<CapturedResponse> {
    const csrf = await this.send('GET', '/api/auth/csrf');
    const csrfToken = (csrf.body as { csrfToken: string }).csrfToken;
    return this.send('POST', '/api/auth/signout', { csrfToken, callbackUrl: ORIGIN, json: 'true' });
  }

  /** `GET /api/auth/session`, what `useSession()` fetches. */
  session(): Promise<CapturedResponse> {
    return this.send('GET', '/api/auth/session');
  }

  /** `getServerSession(req, res, authOptions)` as a Pages Router page or API route calls it. */
  async serverSession(
    authOptions: AuthOptions,
  ): Promise<{ session: unknown; setCookies: string[] }> {
    const { res, result } = createFakeResponse();
    const req = this.request('GET', '/');
    const session = await (getServerSession as (...args: unknown[]) => Promise<unknown>)(
      req,
      res,
      authOptions,
    );
    const { setCookies } = result();
    this.jar.apply(setCookies);
    return { session, setCookies };
  }
}

export { getServerSession, NextAuth };
