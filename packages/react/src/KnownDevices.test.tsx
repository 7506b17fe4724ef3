import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KnownDevices } from './KnownDevices.js';
import { setNextAuth, signedIn, signedOut, unmountAll } from './test-utils/next-auth.js';

vi.mock('next-auth/react', () => ({ useSession: vi.fn(), signOut: vi.fn() }));

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

const DAY = 86_400_000;

function device(id: string, browser: string, os: string, type = 'desktop', daysAgo = 0) {
  const now = Date.now();
  return {
    id: id.padEnd(22, 'x'),
    deviceInfo: { type, os, osVersion: null, browser, browserVersion: null },
    firstSeenAt: new Date(now - 40 * DAY).toISOString(),
    lastSeenAt: new Date(now - daysAgo * DAY).toISOString(),
    lastIpAddress: '203.0.113.7',
    lastLocation: { country: 'DE', region: null, city: 'Berlin' },
  };
}

/** A fake devices API at the fetch boundary. */
function stubDevicesApi(
  devices = [device('mac', 'Firefox', 'macOS'), device('phone', 'Safari', 'iOS', 'mobile', 3)],
) {
  const api = { calls: [] as string[], devices: [...devices], failNext: null as number | null };
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = new URL(input, 'http://localhost');
      const method = init?.method ?? 'GET';
      api.calls.push(`${method} ${url.pathname}${url.search}`);
      if (api.failNext !== null) {
        const status = api.failNext;
        api.failNext = null;
        return json(status, { error: { code: 'FAILED', message: 'Failed.' } });
      }
      if (method === 'GET') return json(200, { devices: api.devices });
      const id = url.searchParams.get('deviceId');
      if (!api.devices.some((d) => d.id === id)) {
        return json(404, { error: { code: 'NOT_FOUND', message: 'No such device.' } });
      }
      api.devices = api.devices.filter((d) => d.id !== id);
      return json(200, { forgotten: 1 });
    }),
  );
  return api;
}

describe('<KnownDevices />', () => {
  it('lists the known devices from GET /api/sessions/devices with name, icon, last sign-in and place', async () => {
    const api = stubDevicesApi();
    setNextAuth(signedIn());
    render(<KnownDevices locale="en" />);
    expect(screen.getByText('Loading your devices…')).toBeTruthy();
    const items = await screen.findAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.sk-session__title')?.textContent)).toEqual([
      'Firefox on macOS',
      'Safari on iOS',
    ]);
    expect(items[1]?.textContent).toContain('3 days ago');
    expect(items[1]?.textContent).toContain('Berlin, Germany');
    expect(screen.getByRole('img', { name: 'Phone' })).toBeTruthy();
    expect(api.calls).toEqual(['GET /api/sessions/devices']);
  });

  it('"Forget" sends DELETE ?deviceId=, drops the device and announces it', async () => {
    const user = userEvent.setup();
    const api = stubDevicesApi();
    setNextAuth(signedIn());
    render(<KnownDevices basePath="/auth/devices" />);
    await user.click(await screen.findByRole('button', { name: 'Forget Safari on iOS' }));
    expect(api.calls).toContain(`DELETE /auth/devices?deviceId=${'phone'.padEnd(22, 'x')}`);
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
    expect(screen.getByRole('status').textContent).toBe('Forgot Safari on iOS.');
  });

  it('a failed forget keeps the device and says so; a 404 counts as forgotten', async () => {
    const user = userEvent.setup();
    const api = stubDevicesApi();
    setNextAuth(signedIn());
    render(<KnownDevices />);
    api.failNext = 500;
    await user.click(await screen.findByRole('button', { name: 'Forget Safari on iOS' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        'Could not forget Safari on iOS. Try again.',
      ),
    );
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    api.failNext = 404;
    await user.click(screen.getByRole('button', { name: 'Forget Safari on iOS' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
  });

  it('shows an error with a working retry, and an empty state', async () => {
    const user = userEvent.setup();
    const api = stubDevicesApi([]);
    api.failNext = 503;
    setNextAuth(signedIn());
    render(<KnownDevices />);
    expect((await screen.findByRole('alert')).textContent).toContain('could not be loaded');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No devices yet.')).toBeTruthy();
  });

  it('does not call the API while signed out', async () => {
    const api = stubDevicesApi();
    setNextAuth(signedOut());
    render(<KnownDevices />);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(api.calls).toEqual([]);
    expect(screen.getByText('No devices yet.')).toBeTruthy();
  });

  it('takes labels from props and has no axe violations', async () => {
    stubDevicesApi();
    setNextAuth(signedIn());
    const { container } = render(
      <KnownDevices
        headingLevel={3}
        labels={{
          title: 'Bekannte Geräte',
          forget: 'Vergessen',
          forgetLabel: (d) => `${d} vergessen`,
        }}
      />,
    );
    await screen.findAllByRole('listitem');
    expect(screen.getByRole('heading', { level: 3, name: 'Bekannte Geräte' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Safari on iOS vergessen' }).textContent).toBe(
      'Vergessen',
    );
    const getContext = vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const results = await axe.run(container);
    getContext.mockRestore();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
});
