// Drives the real next-auth client (v4 or v5: whichever `next-auth/react`
// resolves to in the calling test file) against a fake server at the fetch
// boundary: /api/auth/* as next-auth serves it, /api/sessions as sessionkit does.
import { render, screen, waitFor } from '@testing-library/react';
import type { ComponentType, ReactNode } from 'react';
import { expect, vi } from 'vitest';
import { useSession } from '../useSession.js';
import { sessionJson } from './api.js';

export interface FakeServer {
  /** Every request as `METHOD path`, in order. */
  calls: string[];
  /** Whether the server still knows the session (false once it was revoked elsewhere). */
  signedIn: boolean;
}

/**
 * Stubs fetch like a NextAuth server whose tracked session can be revoked:
 * `/api/auth/session` answers `emptySession` once `signedIn` is false.
 */
export function stubServer(emptySession: unknown): FakeServer {
  const server: FakeServer = { calls: [], signedIn: true };
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input), 'http://localhost');
      const method = (init?.method ?? 'GET').toUpperCase();
      server.calls.push(`${method} ${url.pathname}`);
      switch (url.pathname) {
        case '/api/sessions':
          return server.signedIn
            ? json(200, { sessions: [sessionJson('current')], currentSessionId: 'current' })
            : json(401, { error: { code: 'SESSION_ENDED', message: 'This session has ended.' } });
        case '/api/auth/session':
          return json(200, server.signedIn ? initialSession : emptySession);
        case '/api/auth/csrf':
          return json(200, { csrfToken: 'csrf' });
        case '/api/auth/signout':
          server.signedIn = false;
          return json(200, { url: 'http://localhost/' });
        default:
          return json(404, {});
      }
    }),
  );
  return server;
}

export const initialSession = {
  user: { id: 'user-1', name: 'Ada' },
  expires: new Date(Date.now() + 86_400_000).toISOString(),
  sessionId: 'current',
  expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
};

function Status() {
  const { status, sessions } = useSession();
  return (
    <p>
      <span data-testid="status">{status}</span> <span data-testid="count">{sessions.length}</span>
    </p>
  );
}

/** Renders a signed-in page under the real SessionProvider, then revokes its session on the server. */
export async function renderRevokedTab(
  SessionProvider: ComponentType<{ session: never; children: ReactNode }>,
  server: FakeServer,
) {
  render(
    <SessionProvider session={initialSession as never}>
      <Status />
    </SessionProvider>,
  );
  await waitFor(() => expect(screen.getByTestId('count').textContent).toBe('1'));
  expect(screen.getByTestId('status').textContent).toBe('authenticated');
  // Revoked from another device: the server forgets the session.
  server.signedIn = false;
  return {
    status: () => screen.getByTestId('status').textContent,
  };
}
