// limitPolicy 'ask' end to end against next-auth v5's real handlers (App Router):
// the third device is redirected to the picker, ends one session through
// sessionLimitProvider and is signed in; the ended device is signed out.
import { createMemoryStore, createSessionManager, type SessionManager } from '@sessionkit/core';
import NextAuth, { type NextAuthConfig } from 'next-auth-v5';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSessionLimitHandler,
  PENDING_SIGN_IN_COOKIE,
  SESSION_LIMIT_PROVIDER_ID,
  sessionLimitProvider,
} from './session-limit.js';
import { credentialsConfigV5 } from './test-utils/credentials-config-v5.js';
import { ORIGIN, V5_SESSION_COOKIE, V5Browser } from './test-utils/next-auth-v5.js';
import { withSessionTracking } from './with-session-tracking.js';

vi.mock('next-auth/jwt', async () => await import('next-auth-v5/jwt'));

let manager: SessionManager;
let current: V5Browser | undefined;

function setup() {
  manager = createSessionManager({
    store: createMemoryStore(),
    maxSessionsPerUser: 2,
    limitPolicy: 'ask',
    logger: { warn() {}, error() {} },
  });
  const base = credentialsConfigV5('sessionkit-v5-limit-test-secret-0123456789');
  const config: NextAuthConfig = {
    ...base,
    providers: [...base.providers, sessionLimitProvider({ manager }) as never],
  };
  const auth = NextAuth(async (request) =>
    withSessionTracking(config as never, {
      manager,
      getHeaders: () => request?.headers,
      setDeviceId: false,
      sessionLimitPage: '/auth/choose-session',
      // Stands in for cookies().set() of the route handler's response.
      setPendingSignInCookie: (c) => current?.jar.apply([`${c.name}=${c.value}; Path=/; HttpOnly`]),
    }),
  );
  return (): V5Browser => new V5Browser(auth.handlers as never);
}

describe("limitPolicy 'ask' on next-auth v5 (real handlers)", () => {
  let browser: () => V5Browser;
  beforeEach(() => {
    browser = setup();
  });

  const signIn = async (b: V5Browser) => {
    current = b;
    return b.signIn({ username: 'ada', password: 'correct horse' });
  };
  const sessionOf = async (b: V5Browser) =>
    ((await b.session()).body ?? {}) as { sessionId?: string; user?: { id: string } };

  it('the third device is redirected to the picker, ends one session and is signed in; the ended device is signed out', async () => {
    const a = browser();
    await signIn(a);
    await signIn(browser());
    const first = await sessionOf(a);
    expect(first.sessionId).toBeTruthy();

    const c = browser();
    const held = await signIn(c);
    expect(held.status).toBe(302);
    const location = new URL(held.location ?? '', ORIGIN);
    expect(location.pathname).toBe('/auth/choose-session');
    const pending = location.searchParams.get('pending') ?? '';
    expect(c.jar.has(V5_SESSION_COOKIE)).toBe(false);
    expect(c.jar.has(PENDING_SIGN_IN_COOKIE)).toBe(true);

    const listed = await createSessionLimitHandler({ manager }).GET(
      new Request(`${ORIGIN}/api/sessions/limit?pending=${pending}`, {
        headers: { cookie: c.jar.header() },
      }),
    );
    expect(listed.status).toBe(200);

    const csrfToken = await c.csrfToken();
    const done = await c.send('POST', `/api/auth/callback/${SESSION_LIMIT_PROVIDER_ID}`, {
      pendingSignInId: pending,
      endSessionId: first.sessionId ?? '',
      csrfToken,
      callbackUrl: ORIGIN,
    });
    expect(done.status).toBe(302);
    expect(c.jar.has(V5_SESSION_COOKIE)).toBe(true);
    const signedIn = await sessionOf(c);
    expect(signedIn.user).toMatchObject({ id: 'user-1', name: 'ada' });
    expect((await sessionOf(a)).sessionId).toBeUndefined();
    expect(await manager.list('user-1')).toHaveLength(2);
  });
});
