// Schedules work to run after the response, for the manager's background
// activity writes (validate(token, { waitUntil })). In order of preference:
// Next's after() (next/server, Next ≥ 15: the platform keeps the function alive
// until the work settles), the host's waitUntil (Vercel's request context), or
// nothing: the promise then simply runs in the background. Never throws.

type Schedule = (promise: Promise<unknown>) => void;

let nextAfter: Promise<Schedule | null> | undefined;

/** Next's after(), or null on Next 14, outside Next, or where next/server cannot load. */
function loadNextAfter(): Promise<Schedule | null> {
  nextAfter ??= import('next/server').then(
    (module) => {
      const after = (module as { after?: unknown }).after;
      return typeof after === 'function' ? (after as Schedule) : null;
    },
    () => null,
  );
  return nextAfter;
}

const VERCEL_CONTEXT = Symbol.for('@vercel/request-context');

function hostWaitUntil(): Schedule | null {
  const context = (globalThis as Record<symbol, unknown>)[VERCEL_CONTEXT] as
    | { get?: () => { waitUntil?: unknown } | undefined }
    | undefined;
  const waitUntil = context?.get?.()?.waitUntil;
  return typeof waitUntil === 'function' ? (waitUntil as Schedule) : null;
}

/**
 * A `waitUntil` for one request: resolve it before calling validate() (it
 * loads next/server once) and pass it along.
 */
export async function afterResponse(): Promise<Schedule> {
  const after = await loadNextAfter();
  return (promise) => {
    try {
      if (after) {
        after(promise);
        return;
      }
    } catch {
      // Outside a request scope (a script, a test): fall through.
    }
    try {
      hostWaitUntil()?.(promise);
    } catch {
      // The promise runs in the background regardless.
    }
  };
}
