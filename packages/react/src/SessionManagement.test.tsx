import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionManagement } from './SessionManagement.js';
import { type SessionJson, sessionJson, stubSessionsApi } from './test-utils/api.js';
import { setNextAuth, signedIn, signedOut, unmountAll } from './test-utils/next-auth.js';

vi.mock('next-auth/react', () => ({ useSession: vi.fn(), signOut: vi.fn() }));

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

const DAY = 86_400_000;

function sessions(): SessionJson[] {
  return [
    sessionJson('win', {
      browser: 'Chrome',
      os: 'Windows',
      ip: '198.51.100.4',
      city: 'Lyon',
      country: 'FR',
      activeMinutesAgo: 3 * 60,
    }),
    sessionJson('current', {
      browser: 'Firefox',
      os: 'macOS',
      ip: '203.0.113.7',
      city: 'Berlin',
      country: 'DE',
    }),
    sessionJson('phone', {
      type: 'mobile',
      browser: 'Safari',
      os: 'iOS',
      ip: null,
      activeMinutesAgo: 5,
    }),
  ];
}

async function renderLoaded(props: Parameters<typeof SessionManagement>[0] = {}) {
  const api = stubSessionsApi(sessions(), 'current');
  setNextAuth(signedIn());
  const view = render(<SessionManagement {...props} />);
  await screen.findByRole('list');
  return { api, ...view };
}

function row(name: string) {
  const item = screen.getAllByRole('listitem').find((li) => li.textContent?.includes(name));
  if (!item) throw new Error(`no row for ${name}`);
  return item;
}

async function expectNoAxeViolations(container: HTMLElement) {
  // jsdom has no canvas (axe probes it for icon fonts in the contrast rule);
  // without this stub jsdom only prints "not implemented" noise.
  const getContext = vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
  const results = await axe.run(container);
  getContext.mockRestore();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  // axe really looked: the rules for what this markup has ran and passed.
  expect(results.passes.map((p) => p.id)).toEqual(
    expect.arrayContaining(['aria-valid-attr', 'landmark-unique']),
  );
}

describe('<SessionManagement />', () => {
  it('shows a loading skeleton, then one list item per session', async () => {
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { container } = render(<SessionManagement />);
    const section = container.querySelector('section');
    expect(section?.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByText('Loading your sessions…')).toBeTruthy();
    const list = await screen.findByRole('list');
    expect(within(list).getAllByRole('listitem')).toHaveLength(3);
    expect(section?.hasAttribute('aria-busy')).toBe(false);
    expect(screen.getByRole('heading', { level: 2, name: 'Where you’re signed in' })).toBeTruthy();
  });

  it('lists device icon, browser and OS, IP, location, relative last activity and expiry', async () => {
    await renderLoaded({ locale: 'en-US' });
    const win = row('Chrome on Windows');
    expect(within(win).getByRole('img', { name: 'Computer' }).tagName).toBe('svg');
    expect(win.textContent).toContain('198.51.100.4');
    expect(win.textContent).toContain('Lyon, France');
    expect(within(win).getByText('3 hours ago').tagName).toBe('TIME');
    const phone = row('Safari on iOS');
    expect(within(phone).getByRole('img', { name: 'Phone' })).toBeTruthy();
    expect(within(phone).getByText('5 minutes ago')).toBeTruthy();
    // Missing IP and location read "Unknown", not blank.
    expect(within(phone).getAllByText('Unknown')).toHaveLength(2);
    const expiry = new Date(Date.now() + 29 * DAY);
    const expires = within(phone).getByText(
      new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(expiry),
    );
    expect(expires.getAttribute('dateTime')?.slice(0, 16)).toBe(expiry.toISOString().slice(0, 16));
  });

  it('puts the current session first with a "This device" badge and no revoke button', async () => {
    await renderLoaded();
    const items = screen.getAllByRole('listitem');
    expect(items[0]?.textContent).toContain('Firefox on macOS');
    expect(within(items[0]!).getByText('This device')).toBeTruthy();
    expect(within(items[0]!).queryByRole('button')).toBeNull();
    expect(screen.getAllByText('This device')).toHaveLength(1);
    expect(
      within(row('Chrome on Windows')).getByRole('button', { name: 'Sign out Chrome on Windows' }),
    ).toBeTruthy();
  });

  it('revokes a session only after confirmation, with DELETE /api/sessions?sessionId=…', async () => {
    const user = userEvent.setup();
    const { api } = await renderLoaded();
    await user.click(screen.getByRole('button', { name: 'Sign out Chrome on Windows' }));
    expect(api.calls).toEqual(['GET /api/sessions']);
    const confirm = screen.getByRole('group', { name: /Sign out Chrome on Windows\?/ });
    await user.click(within(confirm).getByRole('button', { name: 'Yes, sign out' }));
    expect(api.calls).toContain('DELETE /api/sessions?sessionId=win');
    expect(screen.queryByText('Chrome on Windows')).toBeNull();
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Signed out Chrome on Windows.'),
    );
  });

  it('Cancel closes the confirmation without any request and returns focus', async () => {
    const user = userEvent.setup();
    const { api } = await renderLoaded();
    const trigger = screen.getByRole('button', { name: 'Sign out Safari on iOS' });
    await user.click(trigger);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.calls).toEqual(['GET /api/sessions']);
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Sign out Safari on iOS' }),
    );
  });

  it('a failed revoke brings the session back and announces the failure', async () => {
    const user = userEvent.setup();
    const { api } = await renderLoaded();
    api.failNext('DELETE', 500);
    const release = api.holdNext('DELETE');
    await user.click(screen.getByRole('button', { name: 'Sign out Chrome on Windows' }));
    await user.click(screen.getByRole('button', { name: 'Yes, sign out' }));
    expect(screen.queryByText('Chrome on Windows')).toBeNull();
    await act(async () => release());
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        'Could not sign out Chrome on Windows. Try again.',
      ),
    );
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
    expect(row('Chrome on Windows')).toBeTruthy();
  });

  it('signs out all other devices after confirmation with DELETE ?revokeAll=true', async () => {
    const user = userEvent.setup();
    const { api } = await renderLoaded();
    await user.click(screen.getByRole('button', { name: 'Sign out all other devices' }));
    expect(screen.getByText('Sign out 2 other devices?')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Yes, sign out all' }));
    expect(api.calls).toContain('DELETE /api/sessions?revokeAll=true');
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Sign out all other devices' })).toBeNull();
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Signed out 2 other devices.'),
    );
  });

  it('a failed revoke-all restores the list and announces the failure', async () => {
    const user = userEvent.setup();
    const { api } = await renderLoaded();
    api.failNext('DELETE', 500);
    await user.click(screen.getByRole('button', { name: 'Sign out all other devices' }));
    await user.click(screen.getByRole('button', { name: 'Yes, sign out all' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        'Could not sign out the other devices. Try again.',
      ),
    );
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
  });

  it('can be used with the keyboard alone', async () => {
    const user = userEvent.setup();
    const { api } = await renderLoaded();
    // Tab order: each session's revoke button, then "Sign out all other devices".
    await user.tab();
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Sign out Chrome on Windows' }),
    );
    await user.keyboard('{Enter}');
    // Focus lands on Cancel, so a repeated Enter cannot revoke by accident.
    expect(document.activeElement?.textContent).toBe('Cancel');
    await user.keyboard('{Escape}');
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Sign out Chrome on Windows' }),
    );
    await user.keyboard('{Enter}');
    await user.tab({ shift: true });
    expect(document.activeElement?.textContent).toBe('Yes, sign out');
    await user.keyboard('{Enter}');
    expect(api.calls).toContain('DELETE /api/sessions?sessionId=win');
    // The row is gone; focus waits on the heading instead of being lost.
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2 }));
    await user.tab();
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Sign out Safari on iOS' }),
    );
    await user.tab();
    await user.keyboard(' ');
    await user.tab({ shift: true });
    await user.keyboard('{Enter}');
    expect(api.calls).toContain('DELETE /api/sessions?revokeAll=true');
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Signed out 1 other device.'),
    );
  });

  it('shows the first page, and "Show more sessions" loads the next until none is left (keyboard, axe)', async () => {
    const user = userEvent.setup();
    const many = [
      sessionJson('current'),
      ...Array.from({ length: 4 }, (_, i) =>
        sessionJson(`other-${i}`, { browser: `Browser ${i}`, os: 'Linux' }),
      ),
    ];
    const api = stubSessionsApi(many, 'current', { pageSize: 2 });
    setNextAuth(signedIn());
    const { container } = render(<SessionManagement />);
    await screen.findByRole('list');
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    const more = screen.getByRole('button', { name: 'Show more sessions' });
    await expectNoAxeViolations(container);
    more.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(4));
    expect(api.calls).toEqual(['GET /api/sessions', 'GET /api/sessions?cursor=2']);
    expect(document.activeElement).toBe(more);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(5));
    // The last page: the button is gone and focus waits on the heading.
    expect(screen.queryByRole('button', { name: 'Show more sessions' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2 }));
    expect(new Set(screen.getAllByRole('listitem').map((li) => li.textContent)).size).toBe(5);
    await expectNoAxeViolations(container);
  });

  it('shows an error with a working retry when the list cannot load', async () => {
    const user = userEvent.setup();
    const api = stubSessionsApi(sessions(), 'current');
    api.failNext('GET', 500);
    setNextAuth(signedIn());
    const { container } = render(<SessionManagement />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Your sessions could not be loaded.');
    await expectNoAxeViolations(container);
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list')).toBeTruthy();
    expect(api.calls).toEqual(['GET /api/sessions', 'GET /api/sessions']);
  });

  it('says the visitor is signed out, never "No active sessions", and asks the API nothing', async () => {
    const api = stubSessionsApi([], 'current');
    setNextAuth(signedOut());
    const { container } = render(<SessionManagement />);
    expect(screen.getByText(/You are signed out/)).toBeTruthy();
    expect(screen.queryByText('No active sessions.')).toBeNull();
    expect(container.querySelector('section')?.dataset.state).toBe('signed-out');
    expect(api.calls).toEqual([]);
  });

  it('says the list could not load (with a retry), never "No active sessions"', async () => {
    const api = stubSessionsApi(sessions(), 'current');
    api.failNext('GET', 500);
    setNextAuth(signedIn());
    const { container } = render(<SessionManagement />);
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('could not be loaded'),
    );
    expect(screen.queryByText('No active sessions.')).toBeNull();
    expect(container.querySelector('section')?.dataset.state).toBe('error');
  });

  it('has no axe violations while loading and when loaded', async () => {
    stubSessionsApi(sessions(), 'current');
    setNextAuth(signedIn());
    const { container } = render(<SessionManagement />);
    await expectNoAxeViolations(container);
    await screen.findByRole('list');
    await expectNoAxeViolations(container);
  });

  it('has no axe violations with a confirmation open', async () => {
    const user = userEvent.setup();
    const { container } = await renderLoaded();
    await user.click(screen.getByRole('button', { name: 'Sign out Chrome on Windows' }));
    await user.click(screen.getByRole('button', { name: 'Sign out all other devices' }));
    await expectNoAxeViolations(container);
  });

  it('takes every label from props for i18n', async () => {
    const user = userEvent.setup();
    await renderLoaded({
      locale: 'de-DE',
      headingLevel: 3,
      labels: {
        title: 'Angemeldete Geräte',
        thisDevice: 'Dieses Gerät',
        deviceName: (browser, os) => `${browser} auf ${os}`,
        revoke: 'Abmelden',
        revokeLabel: (device) => `${device} abmelden`,
        confirmRevoke: (device) => `${device} wirklich abmelden?`,
        confirm: 'Ja, abmelden',
        cancel: 'Abbrechen',
        deviceTypes: { mobile: 'Handy' },
        ipAddress: 'IP-Adresse',
      },
    });
    expect(screen.getByRole('heading', { level: 3, name: 'Angemeldete Geräte' })).toBeTruthy();
    expect(screen.getByText('Dieses Gerät')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Handy' })).toBeTruthy();
    // Unset labels keep their English default.
    expect(screen.getAllByRole('img', { name: 'Computer' })).toHaveLength(2);
    expect(row('Chrome auf Windows').textContent).toContain('Lyon, Frankreich');
    expect(within(row('Safari auf iOS')).getByText('vor 5 Minuten')).toBeTruthy();
    expect(screen.getAllByText('IP-Adresse')).toHaveLength(3);
    await user.click(screen.getByRole('button', { name: 'Chrome auf Windows abmelden' }));
    expect(screen.getByText('Chrome auf Windows wirklich abmelden?')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Ja, abmelden' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Abbrechen' })).toBeTruthy();
  });

  it('is themeable: className on the root, CSS variables in the built-in styles, or none', async () => {
    const { container } = await renderLoaded({ className: 'my-card' });
    const section = container.querySelector('section');
    expect(section?.className).toBe('sk-sessions my-card');
    const css = container.querySelector('style')?.textContent ?? '';
    expect(css).toContain('var(--sk-color-border');
    expect(css).toContain(':where(.sk-session)');
    cleanup();
    const bare = render(<SessionManagement unstyled />);
    expect(bare.container.querySelector('style')).toBeNull();
  });
});

describe('<SessionManagement /> security insights', () => {
  function insightSessions(): SessionJson[] {
    const [win, current, phone] = sessions() as [SessionJson, SessionJson, SessionJson];
    return [
      { ...win, risk: { reasons: ['new_country', 'impossible_travel'] } },
      {
        ...current,
        verification: { verifiedAt: new Date(Date.now() - 60_000).toISOString(), method: 'totp' },
      },
      { ...phone, risk: { reasons: ['login_burst'] } },
    ];
  }

  async function renderInsights(props: Parameters<typeof SessionManagement>[0] = {}) {
    const api = stubSessionsApi(insightSessions(), 'current');
    setNextAuth(signedIn());
    const view = render(<SessionManagement {...props} />);
    await screen.findByRole('list');
    return { api, ...view };
  }

  it('shows a warning badge naming the reasons on a flagged sign-in, and "Verified" on a verified session', async () => {
    await renderInsights();
    expect(row('Chrome on Windows').textContent).toContain(
      'Unusual sign-in: new country, impossible travel',
    );
    expect(row('Safari on iOS').textContent).toContain('Unusual sign-in: many sign-ins');
    expect(row('Firefox on macOS').textContent).toContain('Verified');
    expect(row('Firefox on macOS').textContent).not.toContain('Unusual sign-in');
    expect(row('Chrome on Windows').textContent).not.toContain('Verified');
  });

  it('shows neither badge on a session without risk or verification', async () => {
    await renderLoaded();
    for (const li of screen.getAllByRole('listitem')) {
      expect(li.textContent).not.toMatch(/Unusual sign-in|Verified/);
    }
  });

  it('takes the risk and verified texts from labels, keeping defaults for the rest', async () => {
    await renderInsights({
      labels: {
        unusualSignIn: (reasons) => `Ungewöhnliche Anmeldung: ${reasons}`,
        riskReasons: { new_country: 'neues Land' },
        verified: 'Bestätigt',
      },
    });
    expect(row('Chrome on Windows').textContent).toContain(
      'Ungewöhnliche Anmeldung: neues Land, impossible travel',
    );
    expect(row('Firefox on macOS').textContent).toContain('Bestätigt');
  });

  it('a revoke-all refused with 403 VERIFICATION_REQUIRED restores the list, shows an alert and calls onVerificationRequired, whose retry repeats it', async () => {
    const user = userEvent.setup();
    const onVerificationRequired = vi.fn();
    const { api } = await renderInsights({ onVerificationRequired });
    api.failNext('DELETE', 403, 'VERIFICATION_REQUIRED');
    await user.click(screen.getByRole('button', { name: 'Sign out all other devices' }));
    await user.click(screen.getByRole('button', { name: 'Yes, sign out all' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'Confirm it’s you first: signing out other devices needs a recent verification, such as a two-factor code.',
    );
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
    expect(screen.getByRole('status').textContent).toBe('');
    expect(onVerificationRequired).toHaveBeenCalledTimes(1);

    // The app verified the user (e.g. a 2FA dialog) and retries.
    const retry = onVerificationRequired.mock.calls[0]![0] as () => void;
    act(() => retry());
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Signed out 2 other devices.'),
    );
    expect(api.calls.filter((c) => c === 'DELETE /api/sessions?revokeAll=true')).toHaveLength(2);
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a single revoke refused for verification shows the same alert; other failures keep their own message', async () => {
    const user = userEvent.setup();
    const { api } = await renderInsights();
    api.failNext('DELETE', 403, 'VERIFICATION_REQUIRED');
    await user.click(screen.getByRole('button', { name: 'Sign out Chrome on Windows' }));
    await user.click(screen.getByRole('button', { name: 'Yes, sign out' }));
    expect((await screen.findByRole('alert')).textContent).toContain('recent verification');
    expect(screen.getAllByRole('listitem')).toHaveLength(3);

    api.failNext('DELETE', 403, 'FORBIDDEN');
    await user.click(screen.getByRole('button', { name: 'Sign out all other devices' }));
    await user.click(screen.getByRole('button', { name: 'Yes, sign out all' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        'Could not sign out the other devices. Try again.',
      ),
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('has no axe violations with risk and verified badges and the verification alert', async () => {
    const user = userEvent.setup();
    const { api, container } = await renderInsights();
    await expectNoAxeViolations(container);
    api.failNext('DELETE', 403, 'VERIFICATION_REQUIRED');
    await user.click(screen.getByRole('button', { name: 'Sign out all other devices' }));
    await user.click(screen.getByRole('button', { name: 'Yes, sign out all' }));
    await screen.findByRole('alert');
    await expectNoAxeViolations(container);
  });
});

describe('live list (refreshInterval)', () => {
  afterEach(() => {
    vi.useRealTimers();
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
  });

  async function renderWithTimers(props: Parameters<typeof SessionManagement>[0]) {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const api = stubSessionsApi(sessions().slice(1), 'current');
    setNextAuth(signedIn());
    render(<SessionManagement {...props} />);
    await screen.findByRole('list');
    return api;
  }

  it('shows a device that signed in elsewhere within one interval while the page is visible', async () => {
    const api = await renderWithTimers({ refreshInterval: 5_000 });
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    api.sessions.push(sessionJson('laptop', { browser: 'Edge', os: 'Windows' }));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5_000);
    });
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(3));
    expect(api.calls.filter((c) => c === 'GET /api/sessions')).toHaveLength(2);
  });

  it('pauses while the tab is hidden and is off with refreshInterval={0}', async () => {
    const api = await renderWithTimers({ refreshInterval: 5_000 });
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(60_000);
    });
    expect(api.calls.filter((c) => c === 'GET /api/sessions')).toHaveLength(1);
    await unmountAll();

    const off = await renderWithTimers({ refreshInterval: 0 });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(120_000);
    });
    expect(off.calls.filter((c) => c === 'GET /api/sessions')).toHaveLength(1);
  });

  it('does not collapse a list the user expanded with "Show more sessions"', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const many = [
      sessionJson('current'),
      ...Array.from({ length: 3 }, (_, i) => sessionJson(`other-${i}`, { browser: `B${i}` })),
    ];
    const api = stubSessionsApi(many, 'current', { pageSize: 2 });
    setNextAuth(signedIn());
    render(<SessionManagement refreshInterval={5_000} />);
    await screen.findByRole('list');
    await act(async () => {
      screen.getByRole('button', { name: 'Show more sessions' }).click();
    });
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(4));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(20_000);
    });
    expect(screen.getAllByRole('listitem')).toHaveLength(4);
    expect(api.calls).toEqual(['GET /api/sessions', 'GET /api/sessions?cursor=2']);
  });

  it('refreshes every 30 s by default', async () => {
    const api = await renderWithTimers({});
    await act(async () => {
      await vi.advanceTimersByTimeAsync(29_000);
    });
    expect(api.calls.filter((c) => c === 'GET /api/sessions')).toHaveLength(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1_000);
    });
    expect(api.calls.filter((c) => c === 'GET /api/sessions')).toHaveLength(2);
  });
});
