import { expect } from 'vitest';
import type { CookieJar } from './cookie-jar.js';

// The Credentials sign-in the v4 and v5 end-to-end tests share: one test
// password, 'grace' is user-2 and anyone else user-1, and a browser signed in
// with its session read back. Each version's test keeps only what differs (the
// status a successful sign-in answers with, the session cookie's name).

export const TEST_PASSWORD = 'correct horse';

/** The Credentials provider's `authorize` of both worlds. */
export function testUserOf(
  credentials: Partial<Record<string, unknown>> | undefined,
): { id: string; name: string } | null {
  if (credentials?.password !== TEST_PASSWORD) return null;
  const name = String(credentials.username);
  return { id: name === 'grace' ? 'user-2' : 'user-1', name, role: 'admin' } as {
    id: string;
    name: string;
  };
}

/** What signInWith needs of V4Browser and V5Browser. */
interface CredentialsBrowser {
  readonly jar: CookieJar;
  signIn(credentials: Record<string, string>): Promise<{ status: number }>;
  session(): Promise<{ body: unknown }>;
}

/** Signs `browser` in as `username` and reads its session. */
export async function signInWith<B extends CredentialsBrowser>(
  browser: B,
  expected: { status: number; cookie: string },
  username = 'ada',
) {
  const response = await browser.signIn({ username, password: TEST_PASSWORD });
  expect(response.status).toBe(expected.status);
  expect(browser.jar.has(expected.cookie)).toBe(true);
  const { body } = await browser.session();
  return {
    browser,
    session: body as Record<string, unknown> & { sessionId: string; user: { id: string } },
  };
}
