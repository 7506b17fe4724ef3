import { useSession as useNextAuthSession } from 'next-auth/react';
import { useEffect, useMemo, useState } from 'react';
import { expiryPhase, MAX_TIMEOUT, parseExpiresAt } from './session-expiry.js';

export interface UseSessionExpiryOptions {
  /** How long before `expiresAt` `isExpiringSoon` turns true, in ms. @default 300_000 (5 minutes) */
  warnBefore?: number;
}

export interface SessionExpiry {
  /** True from `expiresAt - warnBefore` on, and after expiry. */
  isExpiringSoon: boolean;
  /** When the tracked session ends (`session.expiresAt`), or null without one. */
  expiresAt: Date | null;
  /**
   * Milliseconds left, as of the last update (mount, the warning, expiry, the tab
   * becoming visible or focused). It does not tick: render a clock for a countdown.
   * Null without a session, and during the server render.
   */
  timeLeft: number | null;
}

/**
 * Tells when the signed-in session is about to expire, from `session.expiresAt`.
 * One timer at a time, no polling; when the tab wakes from sleep (timers
 * paused) it recomputes on `visibilitychange` and `focus`.
 *
 * @example
 * const { isExpiringSoon, expiresAt } = useSessionExpiry({ warnBefore: 10 * 60_000 });
 */
export function useSessionExpiry(options: UseSessionExpiryOptions = {}): SessionExpiry {
  const { warnBefore = 300_000 } = options;
  const { data } = useNextAuthSession();
  const expiresAtMs = parseExpiresAt(data);
  // null until mounted: the server render and the first client render agree.
  const [now, setNow] = useState<number | null>(null);

  useEffect(() => {
    if (expiresAtMs === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const update = () => {
      clearTimeout(timer);
      const current = Date.now();
      setNow(current);
      const { nextChangeIn } = expiryPhase(expiresAtMs, warnBefore, current);
      // A sleeping tab's timer fires late (update() then reads the real clock);
      // a delay past MAX_TIMEOUT would fire at once, so it re-arms instead.
      if (nextChangeIn !== null) timer = setTimeout(update, Math.min(nextChangeIn, MAX_TIMEOUT));
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') update();
    };
    update();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('focus', update);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('focus', update);
    };
  }, [expiresAtMs, warnBefore]);

  return useMemo(() => {
    if (expiresAtMs === null) return { isExpiringSoon: false, expiresAt: null, timeLeft: null };
    const expiresAt = new Date(expiresAtMs);
    if (now === null) return { isExpiringSoon: false, expiresAt, timeLeft: null };
    const { isExpiringSoon, timeLeft } = expiryPhase(expiresAtMs, warnBefore, now);
    return { isExpiringSoon, expiresAt, timeLeft };
  }, [expiresAtMs, warnBefore, now]);
}
