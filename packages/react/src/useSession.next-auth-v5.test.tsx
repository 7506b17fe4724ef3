import { act, waitFor } from '@testing-library/react';
import { SessionProvider } from 'next-auth/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unmountAll } from './test-utils/next-auth.js';
import { renderRevokedTab, stubServer } from './test-utils/real-next-auth.js';

// Every `next-auth/react` import (the hook's too) is next-auth v5's client here.
vi.mock('next-auth/react', async () => await import('next-auth-v5/react'));

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

// next-auth v5 answers GET /api/auth/session with null when signed out; its
// update() ignores that too.
describe('useSession with the real next-auth v5 client', () => {
  it('a tab whose session was revoked elsewhere ends up unauthenticated when /api/sessions answers 401', async () => {
    const server = stubServer(null);
    const tab = await renderRevokedTab(SessionProvider as never, server);
    act(() => {
      window.dispatchEvent(new Event('focus'));
    });
    await waitFor(() => expect(tab.status()).toBe('unauthenticated'));
    expect(server.calls).toContain('POST /api/auth/signout');
  });
});
