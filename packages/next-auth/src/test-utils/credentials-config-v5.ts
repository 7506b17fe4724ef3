import type { NextAuthConfig } from 'next-auth-v5';
import Credentials from 'next-auth-v5/providers/credentials';
import { vi } from 'vitest';
import { testUserOf } from './credentials-world.js';

/**
 * The next-auth v5 config the v5 tests share: JWT sessions, a silent logger and
 * the Credentials provider of `credentials-world.ts` (one test password; 'grace'
 * is user-2, anyone else user-1).
 */
export function credentialsConfigV5(secret: string): NextAuthConfig {
  return {
    secret,
    trustHost: true,
    session: { strategy: 'jwt' },
    logger: { error: vi.fn(), warn: vi.fn(), debug: vi.fn() },
    providers: [
      Credentials({
        credentials: { username: {}, password: {} },
        authorize: async (credentials) => testUserOf(credentials),
      }),
    ],
  };
}
