import { checkLimit, checkOptionsObject, checkStatuses, checkUserId } from './input.js';
import { decodeCursor, encodeCursor, type ListPosition } from './list-cursor.js';
import { type ManagerContext, ownedBy, PAGE_SIZE } from './manager-context.js';
import { ENDED_STATUSES, type EndedSessionStatus, type Session } from './session.js';
import type { SessionListOptions, SessionPage } from './session-manager.js';
import { toPublicSession } from './session-record.js';
import type { PageCursor, SessionRecord } from './session-store.js';

const DEFAULT_HISTORY_LIMIT = 50;

/**
 * SessionManager.list/listPage: one page of a user's sessions. A cursor walks
 * the ACTIVE part (by the store's stable order) and then the ended part.
 */
export async function listSessionPage(
  ctx: ManagerContext,
  method: string,
  userId: string,
  options: SessionListOptions | undefined,
): Promise<SessionPage> {
  const opts = checkOptionsObject(method, options);
  const id = checkUserId(method, userId);
  const wanted = checkStatuses(method, opts.status);
  const limit = checkLimit(method, opts.limit, PAGE_SIZE, PAGE_SIZE);
  const ended = ENDED_STATUSES.filter((s) => wanted.includes(s));
  // Expired-but-not-yet-marked sessions are stored as ACTIVE: walk the ACTIVE
  // part whenever EXPIRED is wanted, to mark them (they then show in the ended part).
  const walkActive = wanted.includes('ACTIVE') || wanted.includes('EXPIRED');
  let position: ListPosition | null = decodeCursor(method, opts.cursor) ?? {
    part: walkActive ? 'a' : 'e',
    after: null,
  };
  const sessions: SessionRecord[] = [];
  const nowMs = ctx.o.now();

  if (position?.part === 'a') {
    const after = position.after;
    const page = walkActive
      ? await ctx.call(method, () => ctx.o.store.listActive(id, { limit, after }))
      : { records: [], next: null };
    const settled = await ctx.settleAll(ownedBy(id, page.records), nowMs);
    // Only still-ACTIVE ones: a record marked EXPIRED just now is listed by the ended part.
    if (wanted.includes('ACTIVE')) sessions.push(...settled.filter((r) => r.status === 'ACTIVE'));
    position = page.next !== null ? { part: 'a', after: page.next } : { part: 'e', after: null };
  }
  if (position?.part === 'e' && ended.length === 0) position = null;
  // The ended part starts on this page only while it has room left.
  if (position?.part === 'e' && sessions.length < limit) {
    const after = position.after;
    const page = await ctx.call(method, () =>
      ctx.o.store.listEnded(id, { statuses: ended, limit: limit - sessions.length, after }),
    );
    sessions.push(
      ...ownedBy(id, page.records).filter(
        (r) => ended.includes(r.status as EndedSessionStatus) && r.purgeAt.getTime() > nowMs,
      ),
    );
    position = page.next === null ? null : { part: 'e', after: page.next };
  }
  sessions.sort(
    (a, b) =>
      b.lastActivityAt.getTime() - a.lastActivityAt.getTime() ||
      b.createdAt.getTime() - a.createdAt.getTime(),
  );
  return {
    sessions: sessions.map(toPublicSession),
    nextCursor: position === null ? null : encodeCursor(position),
  };
}

/** SessionManager.history: a user's ended sessions, most recently ended first. */
export async function listHistory(
  ctx: ManagerContext,
  userId: string,
  options: { limit?: number } | undefined,
): Promise<Session[]> {
  const opts = checkOptionsObject('history', options);
  const id = checkUserId('history', userId);
  const limit = checkLimit('history', opts.limit, DEFAULT_HISTORY_LIMIT);
  const nowMs = ctx.o.now();
  // Sessions that expired by time but that nobody read since are still stored
  // ACTIVE: mark those among the newest page (all of them for a user within the
  // default limit) so that history shows them. One bounded read.
  const active = await ctx.call('history', () =>
    ctx.o.store.listActive(id, { limit: PAGE_SIZE, after: null }),
  );
  await ctx.settleAll(ownedBy(id, active.records), nowMs);
  const out: SessionRecord[] = [];
  let after: PageCursor | null = null;
  // Bounded store calls of at most PAGE_SIZE records each, newest ended first.
  do {
    const page = await ctx.call('history', () =>
      ctx.o.store.listEnded(id, {
        statuses: ENDED_STATUSES,
        limit: Math.min(PAGE_SIZE, limit - out.length),
        after,
      }),
    );
    out.push(...ownedBy(id, page.records).filter((r) => r.purgeAt.getTime() > nowMs));
    after = page.next;
  } while (after !== null && out.length < limit);
  return out.slice(0, limit).map(toPublicSession);
}
