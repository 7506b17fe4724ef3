// A fake sessions API at the network boundary: `fetch` is replaced, everything
// above it (the store, the hooks, the component) is the real code.
import { vi } from 'vitest';

export interface SessionJson {
  id: string;
  userId: string;
  status: 'ACTIVE';
  ipAddress: string | null;
  userAgent: string | null;
  deviceInfo: {
    type: string;
    os: string | null;
    osVersion: string | null;
    browser: string | null;
    browserVersion: string | null;
  };
  location: { country: string | null; region: string | null; city: string | null } | null;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
  endedAt: null;
  endReason: null;
  metadata: Record<string, unknown>;
  risk?: { reasons: ('new_country' | 'impossible_travel' | 'login_burst')[] };
  verification?: { verifiedAt: string; method: string };
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export function sessionJson(
  id: string,
  options: {
    type?: string;
    browser?: string | null;
    os?: string | null;
    ip?: string | null;
    city?: string | null;
    country?: string | null;
    activeMinutesAgo?: number;
  } = {},
): SessionJson {
  const now = Date.now();
  const activity = now - (options.activeMinutesAgo ?? 0) * MINUTE;
  return {
    id,
    userId: 'user-1',
    status: 'ACTIVE',
    ipAddress: options.ip === undefined ? '203.0.113.7' : options.ip,
    userAgent: 'Mozilla/5.0',
    deviceInfo: {
      type: options.type ?? 'desktop',
      os: options.os === undefined ? 'macOS' : options.os,
      osVersion: null,
      browser: options.browser === undefined ? 'Firefox' : options.browser,
      browserVersion: null,
    },
    location:
      options.city === undefined && options.country === undefined
        ? null
        : { city: options.city ?? null, region: null, country: options.country ?? null },
    createdAt: new Date(activity - DAY).toISOString(),
    lastActivityAt: new Date(activity).toISOString(),
    expiresAt: new Date(now + 29 * DAY).toISOString(),
    endedAt: null,
    endReason: null,
    metadata: {},
  };
}

interface Failure {
  method: string;
  status: number;
  body: unknown;
}

export interface FakeApi {
  /** Every request as `METHOD path?query`, in order. */
  calls: string[];
  /** What the server holds now. */
  sessions: SessionJson[];
  currentSessionId: string;
  /** The next request with this method answers `status` (with the error JSON). */
  failNext(method: string, status: number, code?: string): void;
  /** The next request with this method waits until the returned function is called. */
  holdNext(method: string): () => void;
  /** Requests not answered yet. */
  pending(): number;
}

export function stubSessionsApi(
  sessions: SessionJson[],
  currentSessionId: string,
  /** Answer GET in pages of this size, with `nextCursor` (the offset) like the real route. */
  options: { pageSize?: number } = {},
): FakeApi {
  const failures: Failure[] = [];
  const holds: { method: string; wait: Promise<void> }[] = [];
  let pending = 0;
  const api: FakeApi = {
    calls: [],
    sessions: [...sessions],
    currentSessionId,
    failNext(method, status, code = 'SERVER_ERROR') {
      failures.push({ method, status, body: { error: { code, message: `Failed with ${code}` } } });
    },
    holdNext(method) {
      let release = () => {};
      holds.push({ method, wait: new Promise<void>((resolve) => (release = resolve)) });
      return () => release();
    },
    pending: () => pending,
  };

  const respond = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  const handle = (method: string, url: URL): Response => {
    const failure = failures.findIndex((f) => f.method === method);
    if (failure >= 0) {
      const [{ status, body }] = failures.splice(failure, 1) as [Failure];
      return respond(status, body);
    }
    if (method === 'GET') {
      const size = options.pageSize ?? Number.POSITIVE_INFINITY;
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const next = from + size < api.sessions.length ? String(from + size) : null;
      return respond(200, {
        sessions: api.sessions.slice(from, from + size),
        currentSessionId: api.currentSessionId,
        nextCursor: next,
      });
    }
    if (method === 'PATCH') return respond(200, { ok: true });
    if (method === 'DELETE') {
      const id = url.searchParams.get('sessionId');
      if (id !== null) {
        if (!api.sessions.some((s) => s.id === id)) {
          return respond(404, { error: { code: 'NOT_FOUND', message: 'No such session.' } });
        }
        api.sessions = api.sessions.filter((s) => s.id !== id);
        return respond(200, { revoked: 1 });
      }
      if (url.searchParams.get('revokeAll') === 'true') {
        const before = api.sessions.length;
        api.sessions = api.sessions.filter((s) => s.id === api.currentSessionId);
        return respond(200, { revoked: before - api.sessions.length });
      }
    }
    return respond(400, { error: { code: 'INVALID_INPUT', message: 'Bad request.' } });
  };

  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input), 'http://localhost');
      const method = init?.method ?? 'GET';
      api.calls.push(`${method} ${url.pathname}${url.search}`);
      pending++;
      try {
        const hold = holds.findIndex((h) => h.method === method);
        if (hold >= 0) await holds.splice(hold, 1)[0]?.wait;
        return handle(method, url);
      } finally {
        pending--;
      }
    }),
  );
  return api;
}
