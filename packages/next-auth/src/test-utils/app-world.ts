// The app side shared by the v4 and v5 end-to-end tests: a manager on a store
// that can be switched off, a clock, the app's own callbacks (which must keep
// running) and a record of every token manager.create() handed out.
import {
  createSessionManager,
  type SessionManager,
  type SessionManagerOptions,
} from '@sessionkit/core';
import { vi } from 'vitest';
import { createSwitchableStore } from './failing-store.js';

export function appWorld(extra: Partial<SessionManagerOptions> = {}) {
  let now = Date.now();
  const { store, setDown } = createSwitchableStore(() => now);
  const manager: SessionManager = createSessionManager({
    store,
    now: () => now,
    trustProxy: 1,
    logger: { warn() {}, error() {} },
    ...extra,
  });
  /** Every token manager.create() handed out, to prove none leaks. */
  const issuedTokens: string[] = [];
  const create = manager.create.bind(manager);
  manager.create = async (input) => {
    const created = await create(input);
    issuedTokens.push(created.token);
    return created;
  };
  const appJwt = vi.fn(
    async ({ token, user }: { token: Record<string, unknown>; user?: unknown }) => {
      if (user) token.role = (user as { role?: string }).role;
      return token;
    },
  );
  const appSession = vi.fn(
    async ({
      session,
      token,
    }: {
      session: Record<string, unknown>;
      token: Record<string, unknown>;
    }) => ({
      ...session,
      role: token.role,
    }),
  );
  const appSignOut = vi.fn();
  return {
    manager,
    setDown,
    advance: (ms: number) => {
      now += ms;
    },
    issuedTokens,
    appJwt,
    appSession,
    appSignOut,
  };
}
