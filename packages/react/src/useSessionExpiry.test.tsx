import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expiryPhase, MAX_TIMEOUT } from './session-expiry.js';
import { setNextAuth, signedIn, signedOut } from './test-utils/next-auth.js';
import { useSessionExpiry } from './useSessionExpiry.js';

vi.mock('next-auth/react', () => ({ useSession: vi.fn(), signOut: vi.fn() }));

const MINUTE = 60_000;
const DAY = 86_400_000;
const START = new Date('2026-01-01T12:00:00Z').getTime();

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function expiringIn(ms: number) {
  return setNextAuth(signedIn({ expiresAt: new Date(START + ms).toISOString() }));
}

/** The tab sleeps: the clock moves on but no timer fires. */
function sleep(ms: number) {
  vi.setSystemTime(Date.now() + ms);
}

describe('useSessionExpiry', () => {
  it('turns isExpiringSoon on exactly warnBefore ahead of session.expiresAt', () => {
    expiringIn(30 * MINUTE);
    const { result } = renderHook(() => useSessionExpiry({ warnBefore: 10 * MINUTE }));
    expect(result.current.expiresAt?.getTime()).toBe(START + 30 * MINUTE);
    expect(result.current.isExpiringSoon).toBe(false);
    expect(result.current.timeLeft).toBe(30 * MINUTE);
    act(() => vi.advanceTimersByTime(20 * MINUTE - 1));
    expect(result.current.isExpiringSoon).toBe(false);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current.isExpiringSoon).toBe(true);
    expect(result.current.timeLeft).toBe(10 * MINUTE);
  });

  it('warns 5 minutes ahead by default and reaches timeLeft 0 at expiry', () => {
    expiringIn(6 * MINUTE);
    const { result } = renderHook(() => useSessionExpiry());
    act(() => vi.advanceTimersByTime(MINUTE - 1));
    expect(result.current.isExpiringSoon).toBe(false);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current.isExpiringSoon).toBe(true);
    act(() => vi.advanceTimersByTime(5 * MINUTE));
    expect(result.current).toMatchObject({ isExpiringSoon: true, timeLeft: 0 });
  });

  it('keeps exactly one timer and none once expired (no polling)', () => {
    expiringIn(30 * MINUTE);
    renderHook(() => useSessionExpiry({ warnBefore: 10 * MINUTE }));
    expect(vi.getTimerCount()).toBe(1);
    act(() => vi.advanceTimersByTime(20 * MINUTE));
    expect(vi.getTimerCount()).toBe(1);
    act(() => vi.advanceTimersByTime(10 * MINUTE));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is right after the tab sleeps through the warning: recomputes on visibilitychange', () => {
    expiringIn(30 * MINUTE);
    const { result } = renderHook(() => useSessionExpiry({ warnBefore: 10 * MINUTE }));
    sleep(25 * MINUTE);
    expect(result.current.isExpiringSoon).toBe(false);
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(result.current).toMatchObject({ isExpiringSoon: true, timeLeft: 5 * MINUTE });
    expect(vi.getTimerCount()).toBe(1);
  });

  it('is right after the tab sleeps past expiry: recomputes on focus', () => {
    expiringIn(30 * MINUTE);
    const { result } = renderHook(() => useSessionExpiry());
    sleep(2 * 60 * MINUTE);
    act(() => {
      window.dispatchEvent(new Event('focus'));
    });
    expect(result.current).toMatchObject({ isExpiringSoon: true, timeLeft: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('handles a 30-day session although setTimeout cannot wait that long', () => {
    expiringIn(30 * DAY);
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const { result } = renderHook(() => useSessionExpiry());
    // A naive setTimeout(fn, 30 days) overflows and fires at once, over and over.
    expect(setTimeoutSpy.mock.calls.map((call) => call[1])).toEqual([MAX_TIMEOUT]);
    setTimeoutSpy.mockRestore();
    act(() => vi.advanceTimersByTime(30 * DAY - 5 * MINUTE - 1));
    expect(result.current.isExpiringSoon).toBe(false);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current.isExpiringSoon).toBe(true);
  });

  it('follows a new expiresAt (e.g. after sign-in again)', () => {
    expiringIn(6 * MINUTE);
    const { result, rerender } = renderHook(() => useSessionExpiry());
    act(() => vi.advanceTimersByTime(MINUTE));
    expect(result.current.isExpiringSoon).toBe(true);
    expiringIn(60 * MINUTE);
    rerender();
    expect(result.current.isExpiringSoon).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('returns nulls without a signed-in session and sets no timer', () => {
    setNextAuth(signedOut());
    const { result } = renderHook(() => useSessionExpiry());
    expect(result.current).toEqual({ isExpiringSoon: false, expiresAt: null, timeLeft: null });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cleans up its timer and listeners on unmount', () => {
    expiringIn(30 * MINUTE);
    const remove = vi.spyOn(window, 'removeEventListener');
    const { unmount } = renderHook(() => useSessionExpiry());
    unmount();
    expect(vi.getTimerCount()).toBe(0);
    expect(remove).toHaveBeenCalledWith('focus', expect.any(Function));
    remove.mockRestore();
  });
});

describe('expiryPhase', () => {
  it('schedules the next change at the warning, then at expiry, then never', () => {
    expect(expiryPhase(1000, 100, 0)).toEqual({
      isExpiringSoon: false,
      timeLeft: 1000,
      nextChangeIn: 900,
    });
    expect(expiryPhase(1000, 100, 950)).toEqual({
      isExpiringSoon: true,
      timeLeft: 50,
      nextChangeIn: 50,
    });
    expect(expiryPhase(1000, 100, 2000)).toEqual({
      isExpiringSoon: true,
      timeLeft: 0,
      nextChangeIn: null,
    });
    expect(MAX_TIMEOUT).toBe(2 ** 31 - 1);
  });
});
