import { createSessionManager, type SessionManager } from '@sessionkit/core';
import { vi } from 'vitest';
import type { TrackedSessionLike } from '../route-helpers.js';
import { createSwitchableStore } from './failing-store.js';

export const APP = 'https://app.example.com';

export const USER_AGENTS = {
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148',
  linux: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0',
} as const;

export interface RouteWorld {
  manager: SessionManager;
  setDown(down: boolean): void;
  advance(ms: number): void;
  now(): number;
  /** alice[0] (a Mac) is the caller's current session; alice[1] an iPhone, alice[2] Linux. */
  alice: { id: string; token: string }[];
  /** bob[0]: Windows. */
  bob: { id: string; token: string }[];
  tokens: string[];
  caller: { current: TrackedSessionLike | null };
  getSession: ReturnType<typeof vi.fn>;
  /** Signs `userId` in again from `userAgent`. */
  signIn(userId: string, userAgent: string): Promise<{ id: string; token: string }>;
}

/** Alice on three devices and Bob on one, on a memory store that can be switched off. */
export async function routeWorld(): Promise<RouteWorld> {
  let now = Date.UTC(2026, 0, 10, 12);
  const { store, setDown } = createSwitchableStore(() => now);
  const manager = createSessionManager({
    store,
    now: () => now,
    logger: { warn() {}, error() {} },
  });
  const signIn = async (userId: string, userAgent: string) => {
    const { session, token } = await manager.create({ userId, userAgent, ipAddress: '192.0.2.1' });
    now += 1000;
    return { id: session.id, token };
  };
  const alice = [
    await signIn('alice', USER_AGENTS.mac),
    await signIn('alice', USER_AGENTS.iphone),
    await signIn('alice', USER_AGENTS.linux),
  ];
  const bob = [await signIn('bob', USER_AGENTS.windows)];
  const caller = {
    current: { sessionId: alice[0]!.id, user: { id: 'alice' } } as TrackedSessionLike | null,
  };
  return {
    manager,
    setDown,
    advance: (ms) => {
      now += ms;
    },
    now: () => now,
    alice,
    bob,
    tokens: [...alice, ...bob].map((s) => s.token),
    caller,
    getSession: vi.fn(async () => caller.current),
    signIn,
  };
}

export function request(
  path: string,
  method: string,
  query = '',
  headers: Record<string, string> = {},
): Request {
  return new Request(`${APP}${path}${query}`, {
    method,
    headers: { host: 'app.example.com', ...headers },
  });
}

export async function read(response: Response) {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: JSON.parse(text) as never,
  };
}
