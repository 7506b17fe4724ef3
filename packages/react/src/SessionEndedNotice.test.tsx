import { SESSION_END_MESSAGES } from '@sessionkit/core';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { END_REASON_CODES } from './end-reason-codes.js';
import { SessionEndedNotice } from './SessionEndedNotice.js';
import { unmountAll } from './test-utils/next-auth.js';

afterEach(async () => {
  await unmountAll();
  vi.unstubAllGlobals();
});

/** A fake end-reason route at the fetch boundary: one stored reason, cleared by DELETE. */
function stubEndReasonApi(reason: { code: string; message: string } | null) {
  const api = { calls: [] as string[], reason };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      api.calls.push(`${method} ${input}`);
      if (method === 'DELETE') {
        api.reason = null;
        return new Response(JSON.stringify({ cleared: true }), { status: 200 });
      }
      return new Response(JSON.stringify({ endReason: api.reason }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
  return api;
}

const elsewhere = {
  code: 'signed_out_elsewhere',
  message: 'You were signed out from another device.',
};

describe('<SessionEndedNotice /> and useSessionEndReason()', () => {
  it('says why this browser was signed out, in a polite live region, and clears it on the server once read', async () => {
    const api = stubEndReasonApi(elsewhere);
    render(
      <StrictMode>
        <SessionEndedNotice />
      </StrictMode>,
    );
    const status = screen.getByRole('status');
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(await screen.findByText('You were signed out from another device.')).toBeTruthy();
    expect(status.getAttribute('data-code')).toBe('signed_out_elsewhere');
    await waitFor(() => expect(api.calls).toContain('DELETE /api/sessions/end-reason'));
    expect(api.calls[0]).toBe('GET /api/sessions/end-reason');
  });

  it('dismiss hides it; translations by code; a custom route; nothing when there is no reason', async () => {
    const api = stubEndReasonApi({
      code: 'security',
      message: 'You were signed out for your security.',
    });
    const user = userEvent.setup();
    render(
      <SessionEndedNotice
        basePath="/app/api/sessions/end-reason"
        clearOnRead={false}
        messages={{ security: 'Zu Ihrer Sicherheit abgemeldet.' }}
        dismissLabel="Schließen"
        className="mine"
      />,
    );
    expect(await screen.findByText('Zu Ihrer Sicherheit abgemeldet.')).toBeTruthy();
    expect(screen.getByRole('status').className).toBe('sk-end-notice mine');
    expect(api.calls).toEqual(['GET /app/api/sessions/end-reason']);
    await user.click(screen.getByRole('button', { name: 'Schließen' }));
    expect(screen.queryByText('Zu Ihrer Sicherheit abgemeldet.')).toBeNull();
    expect(api.calls).toEqual([
      'GET /app/api/sessions/end-reason',
      'DELETE /app/api/sessions/end-reason',
    ]);

    await unmountAll();
    stubEndReasonApi(null);
    render(<SessionEndedNotice />);
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    expect(screen.getByRole('status').textContent).toBe('');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('ignores a response that is not a known public code', async () => {
    stubEndReasonApi({ code: '<img src=x>', message: 'pwned' });
    render(<SessionEndedNotice />);
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(screen.queryByText('pwned')).toBeNull();
  });

  it('has no axe violations', async () => {
    stubEndReasonApi(elsewhere);
    const { container } = render(<SessionEndedNotice />);
    await screen.findByText(elsewhere.message);
    const getContext = vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    const results = await axe.run(container);
    getContext.mockRestore();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    expect(results.passes.map((p) => p.id)).toEqual(
      expect.arrayContaining(['aria-allowed-role', 'button-name']),
    );
  });

  it('knows exactly the public codes core maps to', () => {
    expect([...END_REASON_CODES].sort()).toEqual(Object.keys(SESSION_END_MESSAGES).sort());
  });
});
