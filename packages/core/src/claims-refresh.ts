import { InvalidInputError } from './errors.js';
import { checkOptionsObject, checkSessionId, checkUserId } from './input.js';
import type { ManagerContext } from './manager-context.js';
import type { RefreshTarget } from './session-store.js';

/** Which sessions `requestRefresh` marks: all of a user's, or one session (optionally the owner's only). */
export type RequestRefreshTarget = string | { sessionId: string; userId?: string };

/**
 * SessionManager.requestRefresh: marks sessions so that their next validate()
 * carries `refreshRequestedAt` and the integration reloads their claims. One
 * store call, whatever the number of sessions.
 */
export async function requestClaimsRefresh(
  ctx: ManagerContext,
  target: RequestRefreshTarget,
): Promise<number> {
  let storeTarget: RefreshTarget;
  if (typeof target === 'string') {
    storeTarget = { userId: checkUserId('requestRefresh', target) };
  } else if (target !== null && typeof target === 'object') {
    const opts = checkOptionsObject('requestRefresh', target);
    storeTarget = {
      sessionId: checkSessionId('requestRefresh', opts.sessionId),
      ownerUserId: opts.userId === undefined ? null : checkUserId('requestRefresh', opts.userId),
    };
  } else {
    throw new InvalidInputError(
      "requestRefresh: pass a user id ('u1') or { sessionId } (optionally { sessionId, userId }).",
    );
  }
  const nowMs = ctx.o.now();
  return ctx.call('requestRefresh', () =>
    ctx.o.store.requestRefresh(storeTarget, {
      at: new Date(nowMs),
      liveness: ctx.liveness(nowMs),
    }),
  );
}

/**
 * SessionManager.clearRefreshRequest: the integration reloaded the claims the
 * mark `requestedAt` asked for. A newer mark stays.
 */
export async function clearClaimsRefresh(
  ctx: ManagerContext,
  sessionId: string,
  requestedAt: Date,
): Promise<boolean> {
  const id = checkSessionId('clearRefreshRequest', sessionId);
  if (!(requestedAt instanceof Date) || Number.isNaN(requestedAt.getTime())) {
    throw new InvalidInputError(
      'clearRefreshRequest: pass the session.refreshRequestedAt that validate() returned.',
    );
  }
  return ctx.call('clearRefreshRequest', () =>
    ctx.o.store.clearRefreshRequest(id, new Date(requestedAt.getTime())),
  );
}
