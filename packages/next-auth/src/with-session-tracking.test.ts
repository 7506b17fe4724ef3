// The callbacks on their own, called the way next-auth calls them. The
// end-to-end proofs against next-auth's real handlers are in the .v4/.v5 files.
import {
  createMemoryStore,
  createSessionManager,
  InvalidInputError,
  type SessionManager,
  SessionStoreError,
} from '@sessionkit/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createSwitchableStore } from './test-utils/failing-store.js';
import {
  SessionEndedError,
  type TrackableAuthOptions,
  withSessionTracking,
} from './with-session-tracking.js';

type Token = Record<string, unknown>;
type Jwt = (params: Record<string, unknown>) => Promise<Token | null>;
type SessionCb = (params: Record<string, unknown>) => Promise<Record<string, unknown>>;
type SignOut = (message: Record<string, unknown>) => Promise<void>;

function callbacks(options: TrackableAuthOptions) {
  return {
    jwt: options.callbacks!.jwt as unknown as Jwt,
    session: options.callbacks!.session as unknown as SessionCb,
    signOut: options.events!.signOut as unknown as SignOut,
  };
}

const UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const baseSession = () => ({
  user: { name: 'Ada', email: 'ada@example.com' },
  expires: '2099-01-01T00:00:00.000Z',
});

describe('withSessionTracking', () => {
  let manager: SessionManager;
  let setDown: (down: boolean) => void;
  beforeEach(() => {
    const s = createSwitchableStore();
    setDown = s.setDown;
    manager = createSessionManager({
      store: s.store,
      trustProxy: true,
      logger: { warn() {}, error() {} },
    });
  });

  const signIn = async (
    options: TrackableAuthOptions,
    user: Record<string, unknown> = { id: 'u1' },
  ) =>
    callbacks(options).jwt({
      token: { sub: String(user.id ?? ''), name: 'Ada' },
      user,
      account: {},
      trigger: 'signIn',
    });

  it('returns a copy and leaves the app’s options object untouched', async () => {
    const jwt = vi.fn();
    const appSignIn = vi.fn(() => '/welcome');
    const options = {
      callbacks: { jwt, signIn: appSignIn },
      events: { signIn: vi.fn() },
      pages: { signIn: '/login' },
    };
    const tracked = withSessionTracking(options, { manager, getHeaders: () => null });
    expect(options.callbacks.jwt).toBe(jwt);
    expect(options).not.toHaveProperty('jwt');
    expect(tracked).not.toBe(options);
    expect(tracked.pages).toBe(options.pages);
    // signIn is wrapped (it checks the incoming session first) and still answers with the app's result
    expect(await (tracked.callbacks!.signIn as (p: unknown) => unknown)({ user: {} })).toBe(
      '/welcome',
    );
    expect(appSignIn).toHaveBeenCalledTimes(1);
    expect(tracked.events?.signIn).toBe(options.events.signIn);
    expect(tracked.callbacks?.jwt).not.toBe(jwt);
  });

  it('refuses the database strategy, explicit or implied by an adapter', () => {
    expect(() => withSessionTracking({ session: { strategy: 'database' } }, { manager })).toThrow(
      InvalidInputError,
    );
    expect(() => withSessionTracking({ adapter: {} }, { manager })).toThrow(/strategy: 'jwt'/);
    expect(() =>
      withSessionTracking({ adapter: {}, session: { strategy: 'jwt' } }, { manager }),
    ).not.toThrow();
  });

  it('refuses a missing manager or a getHeaders that is not a function', () => {
    expect(() => withSessionTracking({}, {} as never)).toThrow(/manager/);
    expect(() => withSessionTracking({}, { manager, getHeaders: 'x' as never })).toThrow(
      /getHeaders/,
    );
    expect(() => withSessionTracking(null as never, { manager })).toThrow(InvalidInputError);
  });

  it('sign-in creates a session from getHeaders and keeps id and token in the JWT claim', async () => {
    const options = withSessionTracking(
      {},
      {
        manager,
        getHeaders: async () =>
          new Headers({ 'user-agent': UA, 'x-forwarded-for': '203.0.113.50' }),
      },
    );
    const token = await signIn(options);
    const claim = token!.sessionkit as Record<string, string>;
    const session = await manager.validate(claim.token!);
    expect(session).toMatchObject({ id: claim.id, userId: 'u1', ipAddress: '203.0.113.50' });
    expect(session?.deviceInfo.browser).toBe('Chrome');
    expect(claim.expiresAt).toBe(session!.expiresAt.toISOString());
    expect(token).toMatchObject({ sub: 'u1', name: 'Ada' });
  });

  it('accepts a Node header record (Pages Router req.headers) and numeric user ids', async () => {
    const options = withSessionTracking(
      {},
      {
        manager,
        getHeaders: () => ({ 'user-agent': UA, 'x-forwarded-for': ['198.51.100.1'] }),
      },
    );
    const token = await signIn(options, { id: 42 });
    const [session] = await manager.list('42');
    expect(session?.ipAddress).toBe('198.51.100.1');
    expect((token!.sessionkit as { userId: string }).userId).toBe('42');
  });

  it('falls back to token.sub for the user id, and refuses a user without any id', async () => {
    const options = withSessionTracking({}, { manager, getHeaders: () => null });
    const token = await callbacks(options).jwt({
      token: { sub: 'from-sub' },
      user: {},
      trigger: 'signIn',
    });
    expect((token!.sessionkit as { userId: string }).userId).toBe('from-sub');
    await expect(
      callbacks(options).jwt({ token: {}, user: { name: 'x' }, trigger: 'signIn' }),
    ).rejects.toThrow(/has no id/);
  });

  it('runs the app’s jwt callback first on sign-in; a null from it creates no session', async () => {
    const jwt = vi.fn(async ({ token }: { token: Token }) => ({ ...token, plan: 'pro' }));
    const tracked = withSessionTracking(
      { callbacks: { jwt } },
      { manager, getHeaders: () => null },
    );
    const token = await signIn(tracked);
    expect(token).toMatchObject({ plan: 'pro', sessionkit: expect.any(Object) });

    const refusing = withSessionTracking(
      { callbacks: { jwt: async () => null } },
      { manager, getHeaders: () => null },
    );
    expect(await signIn(refusing, { id: 'u9' })).toBeNull();
    expect(await manager.list('u9')).toEqual([]);
  });

  it('later calls validate first, then run the app’s callback and keep its result and the claim', async () => {
    const seen: Token[] = [];
    const jwt = vi.fn(async ({ token, user }: { token: Token; user?: unknown }) => {
      if (!user) seen.push(token);
      return { name: token.name, plan: 'pro' }; // a brand-new object, claim dropped
    });
    const tracked = withSessionTracking(
      { callbacks: { jwt } },
      { manager, getHeaders: () => null },
    );
    const first = await signIn(tracked);
    const next = await callbacks(tracked).jwt({ token: first! });
    expect(next).toEqual({ name: 'Ada', plan: 'pro', sessionkit: first!.sessionkit });
    expect(seen[0]?.sessionkit).toEqual(first!.sessionkit);

    await manager.revoke((first!.sessionkit as { id: string }).id);
    jwt.mockClear();
    expect(await callbacks(tracked).jwt({ token: first! })).toBeNull();
    expect(jwt).not.toHaveBeenCalled();
  });

  it('hands the due activity write to the platform (after()/waitUntil) instead of awaiting it', async () => {
    const tracked = withSessionTracking({}, { manager, getHeaders: () => null });
    const token = await signIn(tracked);
    const validate = vi.spyOn(manager, 'validate');
    await callbacks(tracked).jwt({ token: token! });
    expect(validate).toHaveBeenCalledTimes(1);
    const options = validate.mock.calls[0]?.[1];
    expect(typeof options?.waitUntil).toBe('function');
    // Outside a Next request scope it neither throws nor loses the write.
    expect(() => options?.waitUntil?.(Promise.resolve())).not.toThrow();
  });

  it('validates on the update trigger too', async () => {
    const tracked = withSessionTracking({}, { manager, getHeaders: () => null });
    const token = await signIn(tracked);
    await manager.revoke((token!.sessionkit as { id: string }).id);
    expect(
      await callbacks(tracked).jwt({
        token: token!,
        trigger: 'update',
        session: { name: 'x' },
        user: { id: 'u1' },
      }),
    ).toBeNull();
  });

  it('returns null for a JWT without a claim, or with a malformed one', async () => {
    const { jwt } = callbacks(withSessionTracking({}, { manager }));
    expect(await jwt({ token: { sub: 'u1' } })).toBeNull();
    expect(await jwt({ token: { sub: 'u1', sessionkit: 'x' } })).toBeNull();
    expect(await jwt({ token: { sub: 'u1', sessionkit: { id: 1, token: 2 } } })).toBeNull();
    expect(
      await jwt({
        token: { sessionkit: { id: 'a', token: 'b'.repeat(71), userId: 'u1', expiresAt: 'x' } },
      }),
    ).toBeNull();
  });

  it('rejects a claim whose user id was tampered with', async () => {
    const tracked = withSessionTracking({}, { manager, getHeaders: () => null });
    const token = await signIn(tracked);
    const forged = { ...token, sessionkit: { ...(token!.sessionkit as object), userId: 'admin' } };
    expect(await callbacks(tracked).jwt({ token: forged })).toBeNull();
  });

  it('propagates a SessionStoreError (next-auth then clears the cookie): fail closed', async () => {
    const tracked = withSessionTracking({}, { manager, getHeaders: () => null });
    const token = await signIn(tracked);
    setDown(true);
    await expect(callbacks(tracked).jwt({ token: token! })).rejects.toThrow(SessionStoreError);
    await expect(signIn(tracked)).rejects.toThrow(SessionStoreError);
  });

  describe('session callback', () => {
    it('exposes sessionId, expiresAt and user.id and never the token or the claim', async () => {
      const tracked = withSessionTracking({}, { manager, getHeaders: () => null });
      const token = await signIn(tracked);
      const claim = token!.sessionkit as Record<string, string>;
      const session = await callbacks(tracked).session({ session: baseSession(), token });
      expect(session).toEqual({
        ...baseSession(),
        user: { ...baseSession().user, id: 'u1' },
        sessionId: claim.id,
        expiresAt: claim.expiresAt,
      });
      expect(JSON.stringify(session)).not.toContain(claim.token);
    });

    it('keeps the app’s session result but strips a claim it spread in', async () => {
      const tracked = withSessionTracking(
        {
          callbacks: {
            session: async ({ session, token }: { session: object; token: Token }) => ({
              ...session,
              ...token,
              user: undefined,
            }),
          },
        },
        { manager, getHeaders: () => null },
      );
      const token = await signIn(tracked);
      const session = await callbacks(tracked).session({ session: baseSession(), token });
      expect(session).not.toHaveProperty('sessionkit');
      expect(session).toMatchObject({ name: 'Ada', user: { id: 'u1' } });
    });

    it('refuses a session callback that copies the token into the session', async () => {
      const tracked = withSessionTracking(
        {
          callbacks: {
            session: async ({ session, token }: { session: object; token: Token }) => ({
              ...session,
              leaked: (token.sessionkit as { token: string }).token,
            }),
          },
        },
        { manager, getHeaders: () => null },
      );
      const token = await signIn(tracked);
      await expect(callbacks(tracked).session({ session: baseSession(), token })).rejects.toThrow(
        /copied the sessionkit token/,
      );
    });

    it('throws SessionEndedError for a null or claimless token (how v4 clears the cookie)', async () => {
      const { session } = callbacks(withSessionTracking({}, { manager }));
      await expect(session({ session: baseSession(), token: null })).rejects.toBeInstanceOf(
        SessionEndedError,
      );
      await expect(session({ session: baseSession(), token: { sub: 'u1' } })).rejects.toMatchObject(
        {
          code: 'SESSION_ENDED',
        },
      );
    });

    it('passes a non-object result of the app through unchanged', async () => {
      const tracked = withSessionTracking(
        { callbacks: { session: async () => null } },
        { manager, getHeaders: () => null },
      );
      const token = await signIn(tracked);
      expect(await callbacks(tracked).session({ session: baseSession(), token })).toBeNull();
    });
  });

  describe('signOut event', () => {
    it('marks the session LOGGED_OUT and runs the app’s event', async () => {
      const appSignOut = vi.fn();
      const tracked = withSessionTracking(
        { events: { signOut: appSignOut } },
        { manager, getHeaders: () => null },
      );
      const token = await signIn(tracked);
      await callbacks(tracked).signOut({ token });
      const id = (token!.sessionkit as { id: string }).id;
      expect((await manager.get(id))?.status).toBe('LOGGED_OUT');
      expect(appSignOut).toHaveBeenCalledWith({ token });
    });

    it('still runs the app’s event when the store is down, then reports the failure', async () => {
      const appSignOut = vi.fn();
      const tracked = withSessionTracking(
        { events: { signOut: appSignOut } },
        { manager, getHeaders: () => null },
      );
      const token = await signIn(tracked);
      setDown(true);
      await expect(callbacks(tracked).signOut({ token })).rejects.toThrow(SessionStoreError);
      expect(appSignOut).toHaveBeenCalledTimes(1);
    });

    it('ignores a sign-out without a tracked token (v5 database sessions pass { session })', async () => {
      const appSignOut = vi.fn();
      const tracked = withSessionTracking({ events: { signOut: appSignOut } }, { manager });
      await callbacks(tracked).signOut({ session: { sessionToken: 'x' } });
      await callbacks(tracked).signOut({ token: null });
      expect(appSignOut).toHaveBeenCalledTimes(2);
    });
  });

  it('signing in twice creates two sessions', async () => {
    const m = createSessionManager({ store: createMemoryStore() });
    const tracked = withSessionTracking({}, { manager: m, getHeaders: () => null });
    const a = await signIn(tracked);
    const b = await signIn(tracked);
    expect((a!.sessionkit as { id: string }).id).not.toBe((b!.sessionkit as { id: string }).id);
    expect(await m.list('u1')).toHaveLength(2);
  });
});
