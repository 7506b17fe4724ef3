import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { signIn } from 'next-auth/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionLimitPicker } from './SessionLimitPicker.js';
import { unmountAll } from './test-utils/next-auth.js';

vi.mock('next-auth/react', () => ({ useSession: vi.fn(), signOut: vi.fn(), signIn: vi.fn() }));

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
  vi.mocked(signIn).mockReset();
});

const PENDING = 'p'.repeat(71);

function session(id: string, browser: string, os: string, type = 'desktop') {
  const now = new Date().toISOString();
  return {
    id: id.padEnd(28, 'x'),
    userId: 'user-1',
    status: 'ACTIVE',
    ipAddress: '203.0.113.7',
    userAgent: null,
    deviceInfo: { type, os, osVersion: null, browser, browserVersion: null },
    location: { country: 'DE', region: null, city: 'Berlin' },
    createdAt: now,
    lastActivityAt: now,
    expiresAt: now,
    endedAt: null,
    endReason: null,
    metadata: {},
  };
}

/** A fake GET /api/sessions/limit at the fetch boundary. */
function stubLimitApi(
  sessions = [session('mac', 'Firefox', 'macOS'), session('phone', 'Safari', 'iOS', 'mobile')],
) {
  const api = { calls: [] as string[], sessions: [...sessions], status: 200 };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string) => {
      api.calls.push(input);
      const body =
        api.status === 200
          ? { sessions: api.sessions, limit: 2, expiresAt: new Date().toISOString() }
          : { error: { code: 'PENDING_SIGN_IN_NOT_FOUND', message: 'Gone.' } };
      return new Response(JSON.stringify(body), {
        status: api.status,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
  return api;
}

describe('<SessionLimitPicker />', () => {
  it('lists the signed-in devices of the held sign-in and has no axe violations', async () => {
    const api = stubLimitApi();
    const { container } = render(<SessionLimitPicker pendingSignInId={PENDING} />);
    expect(await screen.findByText('Firefox on macOS')).toBeTruthy();
    expect(screen.getByText('Safari on iOS')).toBeTruthy();
    expect(screen.getByText(/signed in on 2 devices at once/)).toBeTruthy();
    expect(api.calls[0]).toBe(`/api/sessions/limit?pending=${PENDING}`);
    const results = await axe.run(container);
    expect(results.violations).toEqual([]);
  });

  it('choosing a device signs it out through sessionLimitProvider and continues to callbackUrl', async () => {
    stubLimitApi();
    vi.mocked(signIn).mockResolvedValue({
      ok: true,
      error: null,
      url: '/dashboard',
      status: 200,
    } as never);
    const onSignedIn = vi.fn();
    render(
      <SessionLimitPicker
        pendingSignInId={PENDING}
        callbackUrl="/dashboard"
        onSignedIn={onSignedIn}
      />,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Sign out Firefox on macOS and continue here' }),
    );
    expect(signIn).toHaveBeenCalledWith('sessionkit-limit', {
      pendingSignInId: PENDING,
      endSessionId: 'mac'.padEnd(28, 'x'),
      callbackUrl: '/dashboard',
      redirect: false,
    });
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith('/dashboard'));
  });

  it('a device that signed out meanwhile is dropped from the list and the user is told to choose another', async () => {
    const api = stubLimitApi();
    vi.mocked(signIn).mockImplementation(async () => {
      api.sessions = api.sessions.slice(1);
      return { ok: false, error: 'CredentialsSignin', url: null, status: 401 } as never;
    });
    render(<SessionLimitPicker pendingSignInId={PENDING} onSignedIn={vi.fn()} />);
    await userEvent.click(await screen.findByRole('button', { name: /Firefox on macOS/ }));
    expect(
      await screen.findByText('Firefox on macOS is no longer signed in. Choose another device.'),
    ).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Firefox on macOS/ })).toBeNull();
    expect(screen.getByRole('button', { name: /Safari on iOS/ })).toBeTruthy();
  });

  it('an expired or completed hold says to sign in again', async () => {
    const api = stubLimitApi();
    api.status = 404;
    render(<SessionLimitPicker pendingSignInId={PENDING} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/expired/);
  });

  it('reads the held sign-in from ?pending= when no id is passed', async () => {
    const api = stubLimitApi();
    window.history.replaceState(null, '', `/auth/choose-session?pending=${PENDING}`);
    render(<SessionLimitPicker />);
    await screen.findByText('Firefox on macOS');
    expect(api.calls).toContain(`/api/sessions/limit?pending=${PENDING}`);
  });
});
