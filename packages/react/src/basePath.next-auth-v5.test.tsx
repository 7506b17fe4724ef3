// A custom next-auth basePath ('/auth') with the real next-auth v5 client:
// <SessionProvider basePath> is what next-auth and sessionkit's React code
// follow (session reads, sign-out), and a mismatch never shows "No active sessions".
import { act, render, screen, waitFor } from '@testing-library/react';
import { SessionProvider } from 'next-auth/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManagement } from './SessionManagement.js';
import { sessionJson } from './test-utils/api.js';
import { unmountAll } from './test-utils/next-auth.js';
import { initialSession } from './test-utils/real-next-auth.js';
import { useSession } from './useSession.js';

vi.mock('next-auth/react', async () => await import('next-auth-v5/react'));

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

/** A server with next-auth mounted at /auth (not /api/auth). */
function stubAuthAtBasePath() {
  const calls: string[] = [];
  let signedIn = true;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input), 'http://localhost');
      const method = (init?.method ?? 'GET').toUpperCase();
      calls.push(`${method} ${url.pathname}`);
      switch (url.pathname) {
        case '/api/sessions':
          return signedIn
            ? json(200, { sessions: [sessionJson('current')], currentSessionId: 'current' })
            : json(401, { error: { code: 'SESSION_ENDED', message: 'Signed out.' } });
        case '/auth/session':
          return json(200, signedIn ? initialSession : null);
        case '/auth/csrf':
          return json(200, { csrfToken: 'csrf' });
        case '/auth/signout':
          signedIn = false;
          return json(200, { url: 'http://localhost/' });
        default:
          return json(404, { message: 'Not found' });
      }
    }),
  );
  return { calls };
}

function SignOut() {
  const { signOut } = useSession();
  return (
    <button type="button" onClick={() => void signOut({ redirect: false })}>
      Sign out
    </button>
  );
}

describe('next-auth at a custom basePath (real next-auth v5 client)', () => {
  it('<SessionProvider basePath="/auth">: the list loads and sign-out goes to /auth/signout', async () => {
    const server = stubAuthAtBasePath();
    render(
      <SessionProvider basePath="/auth">
        <SessionManagement refreshInterval={0} />
        <SignOut />
      </SessionProvider>,
    );
    await screen.findByRole('list');
    expect(server.calls).toContain('GET /auth/session');
    expect(server.calls).toContain('GET /api/sessions');
    expect(server.calls.some((c) => c.includes('/api/auth'))).toBe(false);

    await act(async () => {
      screen.getByRole('button', { name: 'Sign out' }).click();
    });
    await waitFor(() => expect(server.calls).toContain('POST /auth/signout'));
  });

  it('a <SessionProvider> without the basePath says "signed out", never "No active sessions"', async () => {
    const server = stubAuthAtBasePath();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // The default path spelled out: next-auth keeps the last basePath in a module global.
    render(
      <SessionProvider basePath="/api/auth">
        <SessionManagement refreshInterval={0} />
      </SessionProvider>,
    );
    await screen.findByText(/You are signed out/);
    expect(screen.queryByText('No active sessions.')).toBeNull();
    expect(server.calls).toContain('GET /api/auth/session');
    expect(server.calls).not.toContain('GET /api/sessions');
  });
});
