// limitPolicy 'ask' end to end against next-auth v4's real handler: the third
// device is sent to the picker, ends one session through sessionLimitProvider,
// is signed in; the ended device is signed out on its next request.
import { createMemoryStore, createSessionManager, type SessionManager } from '@sessionkit/core';
import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSessionLimitHandler,
  PENDING_SIGN_IN_COOKIE,
  SESSION_LIMIT_PROVIDER_ID,
  sessionLimitProvider,
} from './session-limit.js';
import { NextAuth, ORIGIN, V4_SESSION_COOKIE, V4Browser } from './test-utils/next-auth-v4.js';
import { withSessionTracking } from './with-session-tracking.js';

const logger = { error: vi.fn(), warn: vi.fn(), debug: vi.fn() };

beforeAll(() => vi.stubEnv('NEXTAUTH_URL', ORIGIN));
afterAll(() => vi.unstubAllEnvs());

let manager: SessionManager;
let browsers: V4Browser[];
let limitRoute: ReturnType<typeof createSessionLimitHandler>;

function browser(): V4Browser {
  let self: V4Browser | undefined;
  const options: AuthOptions = withSessionTracking(
    {
      secret: 'sessionkit-v4-limit-test-secret-0123456789',
      session: { strategy: 'jwt' },
      logger,
      providers: [
        CredentialsProvider({
          credentials: { username: { type: 'text' }, password: { type: 'password' } },
          async authorize(credentials) {
            if (credentials?.password !== 'correct horse') return null;
            return { id: 'user-1', name: credentials.username, email: 'ada@example.com' };
          },
        }),
        sessionLimitProvider({ manager }) as never,
      ],
    },
    {
      manager,
      sessionLimitPage: '/auth/choose-session',
      setDeviceId: false,
      // The Pages Router has no next/headers: the test's browser keeps the cookie,
      // as a Set-Cookie header on the response would.
      setPendingSignInCookie: (c) => self?.jar.apply([`${c.name}=${c.value}; Path=/; HttpOnly`]),
    },
  );
  const handler = (req: { headers: Record<string, unknown> }, res: unknown) =>
    (NextAuth as unknown as (req: unknown, res: unknown, o: AuthOptions) => Promise<unknown>)(
      req,
      res,
      { ...options },
    );
  self = new V4Browser(handler as never);
  browsers.push(self);
  return self;
}

async function signIn(b: V4Browser) {
  return b.signIn({ username: 'ada', password: 'correct horse' });
}

async function choose(b: V4Browser, pendingSignInId: string, endSessionId: string) {
  const csrf = await b.send('GET', '/api/auth/csrf');
  const csrfToken = (csrf.body as { csrfToken: string }).csrfToken;
  return b.send('POST', `/api/auth/callback/${SESSION_LIMIT_PROVIDER_ID}`, {
    pendingSignInId,
    endSessionId,
    csrfToken,
    callbackUrl: ORIGIN,
    json: 'true',
  });
}

const sessionOf = async (b: V4Browser) =>
  (await b.session()).body as { sessionId?: string; user?: { id: string; name?: string } };

const pendingIdFrom = (response: { body: unknown; redirect: string | null }): string => {
  const url = (response.body as { url?: string } | undefined)?.url ?? response.redirect ?? '';
  return new URL(url, ORIGIN).searchParams.get('pending') ?? '';
};

const listChoices = (b: V4Browser, pending: string) =>
  limitRoute.GET(
    new Request(`${ORIGIN}/api/sessions/limit?pending=${pending}`, {
      headers: { cookie: b.jar.header() },
    }),
  );

describe("limitPolicy 'ask' on next-auth v4 (real handler)", () => {
  beforeEach(() => {
    manager = createSessionManager({
      store: createMemoryStore(),
      maxSessionsPerUser: 2,
      limitPolicy: 'ask',
      logger: { warn() {}, error() {} },
    });
    browsers = [];
    limitRoute = createSessionLimitHandler({ manager });
  });

  it('the third device is sent to the picker, ends one session and is signed in; the ended device is signed out', async () => {
    const a = browser();
    const b = browser();
    const c = browser();
    await signIn(a);
    await signIn(b);
    const first = await sessionOf(a);
    expect(first.sessionId).toBeTruthy();

    const held = await signIn(c);
    const url = (held.body as { url?: string }).url ?? '';
    // Absolute: v4's client signIn() parses the answered URL with new URL().
    expect(url.startsWith(`${ORIGIN}/auth/choose-session?pending=`)).toBe(true);
    const pending = pendingIdFrom(held);
    expect(pending).toMatch(/^[A-Za-z0-9_-]{71}$/);
    // Held, not signed in: no session cookie, no session.
    expect(c.jar.has(V4_SESSION_COOKIE)).toBe(false);
    expect(c.jar.has(PENDING_SIGN_IN_COOKIE)).toBe(true);
    expect(await manager.list('user-1')).toHaveLength(2);

    const listed = await listChoices(c, pending);
    expect(listed.status).toBe(200);
    const choices = (await listed.json()) as { sessions: { id: string }[]; limit: number };
    expect(choices.limit).toBe(2);
    expect(choices.sessions.map((s) => s.id)).toContain(first.sessionId);
    expect(JSON.stringify(choices)).not.toMatch(/tokenHash|"token"/);

    const done = await choose(c, pending, first.sessionId ?? '');
    expect(done.status).toBe(200);
    expect(c.jar.has(V4_SESSION_COOKIE)).toBe(true);
    const signedIn = await sessionOf(c);
    expect(signedIn.user).toMatchObject({ id: 'user-1', name: 'ada' });
    expect(signedIn.sessionId).not.toBe(first.sessionId);

    // The ended device is signed out on its very next request.
    expect((await sessionOf(a)).sessionId).toBeUndefined();
    expect((await manager.get(first.sessionId ?? ''))?.endReason).toBe('revoked_by_user');
    expect((await manager.list('user-1')).length).toBe(2);
    // Single use: the hold is gone.
    expect((await listChoices(c, pending)).status).toBe(404);
  });

  it('a leaked picker URL is useless in another browser: no listing, no sign-in', async () => {
    const a = browser();
    await signIn(a);
    await signIn(browser());
    const c = browser();
    const pending = pendingIdFrom(await signIn(c));
    const thief = browser();
    expect((await listChoices(thief, pending)).status).toBe(404);
    const first = await sessionOf(a);
    const stolen = await choose(thief, pending, first.sessionId ?? '');
    expect(thief.jar.has(V4_SESSION_COOKIE)).toBe(false);
    expect(stolen.status).not.toBe(500);
    expect((await sessionOf(a)).sessionId).toBe(first.sessionId);
    expect((await listChoices(c, pending)).status).toBe(200);
  });

  it('recognises the held sign-in by its code, whatever build (ESM/CJS) of core the manager came from', async () => {
    const check = manager.checkSessionLimit.bind(manager);
    manager.checkSessionLimit = async (input) => {
      try {
        await check(input);
      } catch (error) {
        // The same error as the other build's class would make it: not instanceof ours.
        const e = error as Error & { code: string; pendingSignIn: unknown };
        const foreign = Object.assign(new Error(e.message), { code: e.code });
        Object.defineProperty(foreign, 'pendingSignIn', { value: e.pendingSignIn });
        throw foreign;
      }
    };
    await signIn(browser());
    await signIn(browser());
    const c = browser();
    const pending = pendingIdFrom(await signIn(c));
    expect(pending).toMatch(/^[A-Za-z0-9_-]{71}$/);
    expect(c.jar.has(PENDING_SIGN_IN_COOKIE)).toBe(true);
  });

  it('the provider alone cannot sign anyone in: a made-up hold is refused', async () => {
    const d = browser();
    d.jar.apply([`${PENDING_SIGN_IN_COOKIE}=${'x'.repeat(71)}; Path=/`]);
    await choose(d, 'x'.repeat(71), 'y'.repeat(28));
    expect(d.jar.has(V4_SESSION_COOKIE)).toBe(false);
    expect(await manager.list('user-1')).toHaveLength(0);
  });
});
