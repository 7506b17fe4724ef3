// Issue 20: nothing of one signed-in session may reach another in the same
// browser. Every hook and component that caches server data is driven through
// a sign-out/sign-in as someone else, an account switch in another tab (the
// session key changes with no sign-out in between), a late answer for the old
// session and a failed first load for the new one.
import { act, render, renderHook, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KnownDevices } from './KnownDevices.js';
import { SessionManagement } from './SessionManagement.js';
import { sessionJson } from './test-utils/api.js';
import { setNextAuth, signedIn, signedOut, unmountAll } from './test-utils/next-auth.js';
import { useKnownDevices } from './useKnownDevices.js';
import { useSession } from './useSession.js';

vi.mock('next-auth/react', () => ({ useSession: vi.fn(), signOut: vi.fn() }));

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

const alice = () => signedIn({ sessionId: 'alice-session', user: { id: 'alice', name: 'Alice' } });
const bob = () => signedIn({ sessionId: 'bob-session', user: { id: 'bob', name: 'Bob' } });

function device(id: string, ip: string, city: string) {
  return {
    id: id.padEnd(22, 'x'),
    deviceInfo: {
      type: 'desktop',
      os: 'macOS',
      osVersion: null,
      browser: 'Firefox',
      browserVersion: null,
    },
    firstSeenAt: new Date(Date.now() - 86_400_000).toISOString(),
    lastSeenAt: new Date().toISOString(),
    lastIpAddress: ip,
    lastLocation: { country: 'DE', region: null, city },
  };
}

/** A fetch whose answers the test releases one by one, in any order. */
function heldFetch() {
  const held: { url: string; answer: (status: number, body: unknown) => Promise<void> }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      (input: string) =>
        new Promise<Response>((resolve) => {
          held.push({
            url: String(input),
            answer: async (status, body) => {
              await act(async () => {
                resolve(
                  new Response(JSON.stringify(body), {
                    status,
                    headers: { 'content-type': 'application/json' },
                  }),
                );
                await new Promise((r) => setTimeout(r, 0));
              });
            },
          });
        }),
    ),
  );
  return held;
}

const fail = { error: { code: 'FAILED', message: 'Failed.' } };
const aliceDevices = { devices: [device('alice-mac', '198.51.100.1', 'Lyon')] };
const bobDevices = { devices: [device('bob-pc', '203.0.113.9', 'Oslo')] };
const aliceSessions = {
  sessions: [sessionJson('alice-session', { city: 'Lyon', country: 'FR' })],
  currentSessionId: 'alice-session',
};

describe('useKnownDevices keeps nothing across sessions', () => {
  it('clears on sign-out and does not show the old list to the next user', async () => {
    const held = heldFetch();
    setNextAuth(alice());
    const { result, rerender } = renderHook(() => useKnownDevices());
    await held[0]?.answer(200, aliceDevices);
    expect(result.current.devices.map((d) => d.lastIpAddress)).toEqual(['198.51.100.1']);
    setNextAuth(signedOut());
    rerender();
    expect(result.current.devices).toEqual([]);
    setNextAuth(bob());
    rerender();
    expect(result.current.devices).toEqual([]);
    expect(result.current.isLoading).toBe(true);
    await held[1]?.answer(200, bobDevices);
    expect(result.current.devices.map((d) => d.lastIpAddress)).toEqual(['203.0.113.9']);
  });

  it('an account switch in another tab: the late answer for the old session is dropped, a failed load shows no old data', async () => {
    const held = heldFetch();
    setNextAuth(alice());
    const { result, rerender } = renderHook(() => useKnownDevices());
    await held[0]?.answer(200, aliceDevices);
    await act(async () => {
      void result.current.refetch(); // Alice's refetch still in flight…
    });
    setNextAuth(bob()); // …when the other tab switches to Bob.
    rerender();
    expect(result.current.devices).toEqual([]);
    await held[1]?.answer(200, aliceDevices); // the late answer is Alice's
    expect(result.current.devices).toEqual([]);
    await held[2]?.answer(500, fail); // Bob's first load fails
    expect(result.current.devices).toEqual([]);
    expect(result.current.error?.status).toBe(500);
  });

  it('"Forget" started for one session does not touch the next one\'s list', async () => {
    const held = heldFetch();
    setNextAuth(alice());
    const { result, rerender } = renderHook(() => useKnownDevices());
    await held[0]?.answer(200, aliceDevices);
    let forgotten: Promise<boolean> = Promise.resolve(false);
    act(() => {
      forgotten = result.current.forgetDevice(aliceDevices.devices[0]?.id as string);
    });
    setNextAuth(bob());
    rerender();
    await held[2]?.answer(200, bobDevices);
    await held[1]?.answer(500, fail);
    await forgotten;
    expect(result.current.devices.map((d) => d.lastIpAddress)).toEqual(['203.0.113.9']);
    expect(result.current.error).toBeNull();
  });
});

describe('<KnownDevices /> keeps nothing across sessions', () => {
  it("never renders the previous user's devices after a switch and a failed load", async () => {
    const held = heldFetch();
    setNextAuth(alice());
    const { rerender } = render(<KnownDevices locale="en" />);
    await held[0]?.answer(200, aliceDevices);
    expect(document.body.textContent).toContain('Lyon');
    setNextAuth(bob());
    rerender(<KnownDevices locale="en" />);
    expect(document.body.textContent).not.toContain('Lyon');
    await held[1]?.answer(500, fail);
    expect(document.body.textContent).not.toContain('Lyon');
    expect(screen.queryAllByRole('button', { name: /forget/i })).toEqual([]);
  });
});

describe('useSession keeps nothing across sessions', () => {
  it('does not show the old list during an account switch, nor after the new load fails', async () => {
    const held = heldFetch();
    setNextAuth(alice());
    const { result, rerender } = renderHook(() => useSession());
    await held[0]?.answer(200, aliceSessions);
    expect(result.current.sessions.map((s) => s.id)).toEqual(['alice-session']);
    setNextAuth(bob());
    rerender();
    expect(result.current.sessions).toEqual([]);
    expect(result.current.currentSessionId).toBeNull();
    await held[held.length - 1]?.answer(500, fail);
    expect(result.current.sessions).toEqual([]);
  });

  it('drops the late answer for the previous session', async () => {
    const held = heldFetch();
    setNextAuth(alice());
    const { result, rerender } = renderHook(() => useSession());
    setNextAuth(bob());
    rerender();
    await held[0]?.answer(200, aliceSessions);
    expect(result.current.sessions).toEqual([]);
  });
});

describe('<SessionManagement /> keeps nothing across sessions', () => {
  it("never renders the previous user's sessions after a switch and a failed load", async () => {
    const held = heldFetch();
    setNextAuth(alice());
    const { rerender } = render(<SessionManagement locale="en" />);
    await held[0]?.answer(200, aliceSessions);
    expect(document.body.textContent).toContain('Lyon');
    setNextAuth(bob());
    rerender(<SessionManagement locale="en" />);
    expect(document.body.textContent).not.toContain('Lyon');
    await held[held.length - 1]?.answer(500, fail);
    expect(document.body.textContent).not.toContain('Lyon');
  });
});
