// next-auth's client is the other network boundary: tests mock `next-auth/react`
// (vi.mock in each test file) and drive what its useSession() returns from here.
import { cleanup } from '@testing-library/react';
import { signOut, useSession } from 'next-auth/react';
import { vi } from 'vitest';

export interface NextAuthState {
  status: 'authenticated' | 'unauthenticated' | 'loading';
  data: Record<string, unknown> | null;
  update: ReturnType<typeof vi.fn>;
}

export function signedIn(data: Record<string, unknown> = {}): NextAuthState {
  return {
    status: 'authenticated',
    data: {
      user: { id: 'user-1', name: 'Ada' },
      expires: new Date(Date.now() + 86_400_000).toISOString(),
      sessionId: 'current',
      ...data,
    },
    update: vi.fn(async () => null),
  };
}

export function signedOut(): NextAuthState {
  return { status: 'unauthenticated', data: null, update: vi.fn(async () => null) };
}

/** Makes the mocked next-auth `useSession()` return `state` (the same object every render). */
export function setNextAuth(state: NextAuthState): NextAuthState {
  vi.mocked(useSession).mockReturnValue(state as unknown as ReturnType<typeof useSession>);
  return state;
}

export const nextAuthSignOut = () => vi.mocked(signOut);

/**
 * Unmounts everything and lets the stores notice (they forget their list one
 * tick after the last component leaves), so each test starts with no cache.
 */
export async function unmountAll(): Promise<void> {
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
