import { act, waitFor } from '@testing-library/react';
import { SessionProvider } from 'next-auth/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unmountAll } from './test-utils/next-auth.js';
import { renderRevokedTab, stubServer } from './test-utils/real-next-auth.js';

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

// next-auth v4 answers GET /api/auth/session with {} when signed out, and its
// update() keeps the old session for an empty answer: the bug this guards.
describe('useSession with the real next-auth v4 client', () => {
  it('a tab whose session was revoked elsewhere ends up unauthenticated when /api/sessions answers 401', async () => {
    const server = stubServer({});
    const tab = await renderRevokedTab(SessionProvider as never, server);
    act(() => {
      window.dispatchEvent(new Event('focus'));
    });
    await waitFor(() => expect(tab.status()).toBe('unauthenticated'));
    expect(server.calls).toContain('POST /api/auth/signout');
    // Signed out without a redirect: no page load, only next-auth's own refetch.
    expect(server.calls.filter((c) => c === 'GET /api/sessions')).toHaveLength(2);
  });
});
