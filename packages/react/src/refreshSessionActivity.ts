import { DEFAULT_BASE_PATH, getSessionsStore } from './sessions-client.js';

export interface RefreshSessionActivityOptions {
  /** Where `createSessionRouteHandlers` is mounted. @default '/api/sessions' */
  basePath?: string;
}

/**
 * `PATCH /api/sessions`: records activity on the current session (e.g. before
 * an idle timeout would end it, or from a "Stay signed in" button). Rejects
 * with a `SessionApiError` when the request fails; on a 401 the other tabs and
 * next-auth are told that the session is over.
 *
 * @example
 * <button onClick={() => refreshSessionActivity()}>Stay signed in</button>
 */
export function refreshSessionActivity(options: RefreshSessionActivityOptions = {}): Promise<void> {
  return getSessionsStore(options.basePath ?? DEFAULT_BASE_PATH).refreshActivity();
}
