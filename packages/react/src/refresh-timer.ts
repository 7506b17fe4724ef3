// Revalidate-on-interval for the session list: a cheap GET while the page is
// visible, so a device that signed in elsewhere shows up on an open settings
// page. Paused while the tab is hidden (no background polling); one timer per
// store, at the shortest interval any subscriber asked for.

/** How often an open list refetches unless told otherwise. */
export const DEFAULT_REFRESH_INTERVAL = 30_000;

export interface RefreshTimer {
  /** Adds a subscriber's interval (ms; 0 or less: no refresh); returns its removal. */
  add(interval: number): () => void;
}

export function createRefreshTimer(tick: () => void): RefreshTimer {
  const intervals: number[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let listening = false;

  const shortest = () => {
    const positive = intervals.filter((ms) => ms > 0 && Number.isFinite(ms));
    return positive.length > 0 ? Math.min(...positive) : 0;
  };
  const visible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden';

  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const interval = shortest();
    if (interval > 0 && visible()) {
      timer = setTimeout(() => {
        timer = null;
        tick();
        schedule();
      }, interval);
    }
  };

  // Hidden: stop; visible again: start a fresh interval (the focus refetch
  // already reloads the list at that moment).
  const onVisibility = () => schedule();

  return {
    add(interval) {
      intervals.push(interval);
      if (!listening && typeof document !== 'undefined') {
        document.addEventListener('visibilitychange', onVisibility);
        listening = true;
      }
      schedule();
      return () => {
        intervals.splice(intervals.indexOf(interval), 1);
        if (intervals.length === 0 && listening) {
          document.removeEventListener('visibilitychange', onVisibility);
          listening = false;
        }
        schedule();
      };
    },
  };
}
