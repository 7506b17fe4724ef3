// @vitest-environment node
// Server render: no window, no document. Proves the package can be imported and
// rendered by a Next.js server component tree without touching browser globals.
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { SessionManagement, useSession, useSessionExpiry } from './index.js';
import { setNextAuth, signedIn } from './test-utils/next-auth.js';

vi.mock('next-auth/react', () => ({ useSession: vi.fn(), signOut: vi.fn() }));

let seen: unknown;
function Probe() {
  const { sessions, isLoading } = useSession();
  const { isExpiringSoon, timeLeft, expiresAt } = useSessionExpiry();
  seen = { sessions, isLoading, isExpiringSoon, timeLeft, hasExpiry: expiresAt !== null };
  return null;
}

describe('server rendering', () => {
  it('runs where window and document do not exist', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('<SessionManagement /> renders its loading state on the server', () => {
    setNextAuth(signedIn());
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const html = renderToString(<SessionManagement className="card" />);
    expect(html).toContain('<section class="sk-sessions card"');
    expect(html).toContain('aria-busy="true"');
    expect(html).toContain('Loading your sessions…');
    expect(html).toContain('role="status"');
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('the hooks render on the server with nothing loaded and no timer', () => {
    setNextAuth(signedIn({ expiresAt: new Date(Date.now() + 60_000).toISOString() }));
    renderToString(<Probe />);
    expect(seen).toEqual({
      sessions: [],
      isLoading: true,
      isExpiringSoon: false,
      timeLeft: null,
      hasExpiry: true,
    });
  });
});
