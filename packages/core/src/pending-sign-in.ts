import type { HeadersLike } from './client-ip.js';
import { InvalidInputError, PendingSignInError, SessionLimitError } from './errors.js';
import { checkMetadata, checkSessionId, checkUserId } from './input.js';
import { listSessionPage } from './list-sessions.js';
import { type ManagerContext, PAGE_SIZE } from './manager-context.js';
import type { Session } from './session.js';
import { toPublicSession } from './session-record.js';
import {
  isLive,
  type PendingSignInRecord,
  type SessionLimit,
  type SessionRecord,
  type SignInCompletionResult,
} from './session-store.js';
import { createSessionId, createToken, hashToken, isTokenShaped, sessionIdShard } from './token.js';

// limitPolicy 'ask': a sign-in that finds the user at the limit is held (a
// pending record in the store, a secret id for the browser) instead of created.
// The user then picks a session to end; the store ends it and inserts the held
// session in one atomic step (SessionStore.completeSignIn), so choosing never
// takes the user over the limit, however many devices choose at once.

/** A held sign-in as the picker sees it. */
export interface PendingSignIn {
  userId: string;
  expiresAt: Date;
  /** `maxSessionsPerUser`. */
  limit: number;
  /** The user's live sessions (public view, newest activity first): the choices. */
  sessions: Session[];
  /** What the integration kept with the held sign-in (`create({ pendingData })`). */
  data: Record<string, unknown>;
}

/** Input of {@link SessionManager.completePendingSignIn}: the choice and the completing request. */
export interface CompletePendingSignInInput {
  /** The live session the user chose to end. */
  endSessionId: string;
  /** The completing request's headers (user agent, client IP, device-id cookie). */
  headers?: HeadersLike;
  ipAddress?: string;
  userAgent?: string;
  deviceId?: string;
}

/** What core keeps with a held sign-in (the store sees it as opaque JSON). */
interface HeldPayload {
  metadata: Record<string, unknown>;
  data: Record<string, unknown>;
}

/** A held sign-in being completed: passed to createSession() in place of a plain create. */
export interface HeldCompletion {
  /** The held sign-in's id (secret: never stored, logged or put in an error message). */
  id: string;
  key: string;
  userId: string;
  endSessionId: string;
  metadata: Record<string, unknown>;
  data: Record<string, unknown>;
}

/** The store key of a held sign-in id: the user shard, then the id's SHA-256. */
function keyOf(id: string): string {
  return sessionIdShard(id) + hashToken(id);
}

function checkPendingId(method: string, id: unknown): string {
  if (!isTokenShaped(id)) {
    throw new InvalidInputError(
      `${method}: pendingSignInId must be the id from SessionLimitError.pendingSignIn (71 URL-safe characters).`,
    );
  }
  return id;
}

/**
 * Holds a sign-in for `pendingSignInTtl` and returns the SessionLimitError that
 * names it (with the user's live sessions). Called when the store refused a
 * create at the limit under 'ask'.
 */
export async function holdAtLimit(
  ctx: ManagerContext,
  userId: string,
  payload: HeldPayload,
  nowMs: number,
): Promise<SessionLimitError> {
  const id = createToken(createSessionId(userId, ctx.o.keys.secret));
  const expiresAt = new Date(nowMs + ctx.o.pendingSignInTtl);
  await ctx.call('holdSignIn', () =>
    ctx.o.store.holdSignIn({ key: keyOf(id), userId, expiresAt, payload: JSON.stringify(payload) }),
  );
  const { sessions } = await listSessionPage(ctx, 'create', userId, { limit: PAGE_SIZE });
  return new SessionLimitError(ctx.o.maxSessionsPerUser ?? 0, {
    sessions,
    pendingSignIn: { id, expiresAt },
  });
}

/** The payload a create() under 'ask' keeps, checked like metadata. */
export function heldPayload(metadata: Record<string, unknown>, pendingData: unknown): HeldPayload {
  return { metadata, data: checkMetadata('create (pendingData)', pendingData) };
}

/** SessionManager.getPendingSignIn. */
export async function getPendingSignIn(
  ctx: ManagerContext,
  pendingSignInId: string,
): Promise<PendingSignIn | null> {
  const id = checkPendingId('getPendingSignIn', pendingSignInId);
  const nowMs = ctx.o.now();
  const held = await ctx.call('getPendingSignIn', () =>
    ctx.o.store.getPendingSignIn(keyOf(id), new Date(nowMs)),
  );
  if (!held || held.expiresAt.getTime() <= nowMs) return null;
  const payload = parsePayload(held);
  const { sessions } = await listSessionPage(ctx, 'getPendingSignIn', held.userId, {
    limit: PAGE_SIZE,
  });
  return {
    userId: held.userId,
    expiresAt: held.expiresAt,
    limit: ctx.o.maxSessionsPerUser ?? 0,
    sessions,
    data: payload.data,
  };
}

/** The held sign-in a completion names, checked; throws PendingSignInError when it is gone. */
export async function readHeldCompletion(
  ctx: ManagerContext,
  pendingSignInId: string,
  input: CompletePendingSignInInput,
): Promise<HeldCompletion> {
  const method = 'completePendingSignIn';
  const id = checkPendingId(method, pendingSignInId);
  if (!input || typeof input !== 'object') {
    throw new InvalidInputError(`${method}: pass { endSessionId, headers }.`);
  }
  const endSessionId = checkSessionId(method, input.endSessionId, 'endSessionId');
  const key = keyOf(id);
  const nowMs = ctx.o.now();
  const held = await ctx.call(method, () => ctx.o.store.getPendingSignIn(key, new Date(nowMs)));
  if (!held || held.expiresAt.getTime() <= nowMs) throw new PendingSignInError('not_found');
  const payload = parsePayload(held);
  return { id, key, userId: held.userId, endSessionId, ...payload };
}

/**
 * The store step of a completion (in place of create()'s): end the chosen
 * session and insert the held one atomically, then announce what happened.
 */
export async function storeCompletion(
  ctx: ManagerContext,
  held: HeldCompletion,
  record: SessionRecord,
  options: { deviceCap: number; previousDeviceKeys: readonly string[] },
  nowMs: number,
): Promise<{ session: SessionRecord; knownDevice: boolean }> {
  const max = ctx.o.maxSessionsPerUser;
  const limit: SessionLimit = {
    max: max ?? Number.MAX_SAFE_INTEGER,
    onExceed: 'reject',
    liveness: ctx.liveness(nowMs),
    eviction: ctx.transition('REVOKED', 'session_limit', nowMs),
  };
  const result: SignInCompletionResult = await ctx.call('completePendingSignIn', () =>
    ctx.o.store.completeSignIn(held.key, {
      userId: held.userId,
      endSessionId: held.endSessionId,
      end: ctx.transition('REVOKED', 'revoked_by_user', nowMs),
      record,
      limit,
      options,
    }),
  );
  switch (result.outcome) {
    case 'created':
      ctx.events.emit('revoked', {
        session: toPublicSession(result.ended),
        reason: 'revoked_by_user',
      });
      return { session: result.session, knownDevice: result.knownDevice };
    case 'not_found':
      throw new PendingSignInError('not_found');
    case 'choice_invalid':
      throw new PendingSignInError('choice_invalid');
    default: {
      // More live sessions than the limit (it was lowered): still held, choose again.
      const { sessions } = await listSessionPage(ctx, 'completePendingSignIn', held.userId, {
        limit: PAGE_SIZE,
      });
      const still = await ctx.call('completePendingSignIn', () =>
        ctx.o.store.getPendingSignIn(held.key, new Date(nowMs)),
      );
      if (!still) throw new PendingSignInError('not_found');
      throw new SessionLimitError(max ?? 0, {
        sessions,
        pendingSignIn: { id: held.id, expiresAt: still.expiresAt },
      });
    }
  }
}

/**
 * SessionManager.checkSessionLimit: whether a sign-in of `userId` would find
 * room now. Resolves when it would (or the policy makes room itself); under
 * 'reject' throws SessionLimitError; under 'ask' holds the sign-in and throws
 * SessionLimitError naming it. Not atomic with a later create(), which enforces
 * the limit again: integrations use it to route the browser before signing in.
 */
export async function checkSessionLimit(
  ctx: ManagerContext,
  input: {
    userId: string;
    metadata?: Record<string, unknown>;
    pendingData?: Record<string, unknown>;
  },
): Promise<void> {
  const method = 'checkSessionLimit';
  if (!input || typeof input !== 'object') {
    throw new InvalidInputError(`${method}: pass { userId }.`);
  }
  const userId = checkUserId(method, input.userId);
  const metadata = checkMetadata(method, input.metadata);
  const max = ctx.o.maxSessionsPerUser;
  if (max === null || ctx.o.onSessionLimit === 'revoke-oldest') return;
  const nowMs = ctx.o.now();
  const liveness = ctx.liveness(nowMs);
  let live = 0;
  let after: Parameters<typeof ctx.o.store.listActive>[1]['after'] = null;
  // Bounded pages; stops as soon as the limit is reached.
  do {
    const page = await ctx.call(method, () =>
      ctx.o.store.listActive(userId, { limit: PAGE_SIZE, after }),
    );
    live += page.records.filter((r) => r.userId === userId && isLive(r, liveness)).length;
    after = page.next;
  } while (after !== null && live < max);
  if (live < max) return;
  ctx.events.emit('limitExceeded', {
    userId,
    limit: max,
    policy: ctx.o.onSessionLimit,
    evicted: [],
  });
  if (ctx.o.onSessionLimit === 'reject') throw new SessionLimitError(max);
  throw await holdAtLimit(ctx, userId, heldPayload(metadata, input.pendingData), nowMs);
}

function parsePayload(held: PendingSignInRecord): HeldPayload {
  try {
    const parsed = JSON.parse(held.payload) as Partial<HeldPayload>;
    return { metadata: parsed.metadata ?? {}, data: parsed.data ?? {} };
  } catch {
    return { metadata: {}, data: {} };
  }
}
