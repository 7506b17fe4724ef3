import { InvalidInputError } from './errors.js';
import type { ManagerContext } from './manager-context.js';
import {
  createRefreshToken,
  isGenuineRefreshToken,
  parseRefreshToken,
  successorPair,
} from './refresh-token.js';
import type { RefreshedSession } from './session-manager.js';
import { toPublicSession } from './session-record.js';
import { type EndTransition, isLiveAt, type SessionRecord } from './session-store.js';
import { createToken, hashesEqual, hashToken } from './token.js';

// Rotated-out refresh hashes the store keeps per session: reuse of these is
// recognised in one store call (and legacy refresh tokens, which carry no
// generation, rely on them). Older generations are recognised by their tag.
const MAX_RETIRED_REFRESH_HASHES = 20;

/**
 * SessionManager.refresh: swaps a refresh token for a new pair in one store
 * call; a rotated-out token coming back revokes the session (reuse detection).
 */
export async function refreshSession(
  ctx: ManagerContext,
  refreshToken: string,
): Promise<RefreshedSession | null> {
  if (!ctx.o.refreshTokens) {
    throw new InvalidInputError(
      'refresh: refresh tokens are disabled. Pass refreshTokens: true to createSessionManager to issue them.',
    );
  }
  const parsed = parseRefreshToken(refreshToken);
  if (parsed === null) return null;
  const nowMs = ctx.o.now();
  const id = parsed.sessionId;
  // A legacy token (issued before generations) rotates into generation 1.
  const generation = (parsed.generation ?? 0) + 1;
  const grace = ctx.o.refreshReuseGrace;
  // With a grace window the pair is derived from the presented token, so a
  // caller within the window can be handed the same pair (see successorPair);
  // strict rotation keeps fresh random pairs.
  const { token, refreshToken: nextRefreshToken } =
    grace > 0
      ? successorPair(ctx.o.keys.refreshKey, id, refreshToken, generation)
      : {
          token: createToken(id),
          refreshToken: createRefreshToken(ctx.o.keys.refreshKey, id, generation),
        };
  const onReuse = ctx.transition('REVOKED', 'refresh_token_reuse', nowMs);
  const result = await ctx.call('refresh', () =>
    ctx.o.store.rotateRefreshToken(id, {
      presentedHash: hashToken(refreshToken),
      tokenHash: hashToken(token),
      refreshTokenHash: hashToken(nextRefreshToken),
      at: new Date(nowMs),
      liveness: ctx.liveness(nowMs),
      maxRetiredHashes: MAX_RETIRED_REFRESH_HASHES,
      onReuse,
      reuseGraceSince: grace > 0 ? new Date(nowMs - grace) : null,
    }),
  );
  switch (result.outcome) {
    case 'rotated':
      return { session: toPublicSession(result.session), token, refreshToken: nextRefreshToken };
    case 'grace': {
      // The other tab's rotation of this very token, moments ago: hand out the
      // same pair, recomputed. A mismatch (another instance without a shared
      // secret, or a pair issued by an older version) gets no session, and is
      // not reuse either.
      const stored = result.session;
      if (
        hashesEqual(stored.refreshTokenHash, hashToken(nextRefreshToken)) &&
        hashesEqual(stored.tokenHash, hashToken(token))
      ) {
        return { session: toPublicSession(stored), token, refreshToken: nextRefreshToken };
      }
      return null;
    }
    case 'reused':
      if (result.revoked) emitReuse(ctx, result.session);
      return null;
    case 'inactive':
      await ctx.settle(result.session, nowMs);
      return null;
    default:
      // Neither current nor among the store's recent retired hashes. A token
      // whose tag proves we issued it for this session is an older
      // generation: reuse, however many rotations happened since.
      if (
        parsed.generation !== null &&
        isGenuineRefreshToken(ctx.o.keys.refreshKey, refreshToken)
      ) {
        await revokeForReuse(ctx, id, onReuse, nowMs);
      }
      return null;
  }
}

/** Ends a session whose older refresh token came back, unless it is already dead. */
async function revokeForReuse(
  ctx: ManagerContext,
  id: string,
  onReuse: EndTransition,
  nowMs: number,
): Promise<void> {
  const record = await ctx.call('refresh', () => ctx.o.store.get(id));
  // An expired or ended session is not relabelled and fires nothing.
  if (record === null || record.refreshTokenHash === null) return;
  if (!isLiveAt(record, nowMs, ctx.o.idleTimeout)) return;
  const ended = await ctx.call('refresh', () =>
    ctx.o.store.end(id, onReuse, { userId: null, tokenHash: null }),
  );
  if (ended) emitReuse(ctx, ended);
}

function emitReuse(ctx: ManagerContext, record: SessionRecord): void {
  const session = toPublicSession(record);
  ctx.events.emit('refreshReuse', { session });
  ctx.events.emit('revoked', { session, reason: 'refresh_token_reuse' });
}
