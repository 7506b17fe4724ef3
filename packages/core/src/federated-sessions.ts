import { InvalidInputError } from './errors.js';
import { checkOptionsObject, checkSessionId, isWellFormedText } from './input.js';
import type { ManagerContext } from './manager-context.js';
import { toPublicSession } from './session-record.js';
import type { FederatedMatch, PageCursor, SessionOrigin } from './session-store.js';

// Federated sign-out (issue 16): sessions remember which OpenID provider
// session they came from, and the provider can end them (back-channel logout).

/** End reason of sessions an identity provider ended (back-channel logout). */
export const IDP_LOGOUT = 'idp_logout';

// Linked sessions one endFederated batch examines (as revokeAll's batches).
const FEDERATED_BATCH = 25;
// Bounds on what a provider sends: OIDC caps `sub` at 255 ASCII characters;
// issuers are URLs; an ID token is a JWS of a few KB.
const MAX_ISSUER_LENGTH = 2048;
const MAX_CLAIM_LENGTH = 1024;
const MAX_ID_TOKEN_LENGTH = 16_384;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** What {@link SessionManager.endFederatedSessions} is asked to end. */
export interface FederatedLogout {
  /** The provider's issuer identifier (`iss` of its logout token). */
  issuer: string;
  /** The provider session that ended (`sid`). */
  sid?: string;
  /** The provider's subject (`sub`): alone, every session of that user from this issuer. */
  sub?: string;
  /**
   * Only sessions created at or before this instant (the Logout Token's `iat`
   * plus clock skew): a replayed token never ends a later sign-in.
   * @default the moment of the call
   */
  createdBefore?: Date;
}

function text(method: string, name: string, value: unknown, max: number): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > max ||
    CONTROL_CHARS.test(value) ||
    !isWellFormedText(value)
  ) {
    throw new InvalidInputError(
      `${method}: ${name} must be a non-empty string of at most ${max} printable characters.`,
    );
  }
  return value;
}

const optionalText = (method: string, name: string, value: unknown, max: number) =>
  value === undefined || value === null ? null : text(method, name, value, max);

/** Checks an origin as an app or adapter passes it; returns a plain copy. */
/**
 * A stored origin (as a store kept `linkOrigin`'s checked value: JSON, a
 * document, a jsonb column) back in its contract shape, absent optional fields
 * as null. For stores (`@sessionkit/core/store`).
 */
export function storedOrigin(stored: {
  providerId: string;
  issuer: string;
  subject: string;
  sid?: string | null;
  idToken?: string | null;
}): SessionOrigin {
  return {
    providerId: stored.providerId,
    issuer: stored.issuer,
    subject: stored.subject,
    sid: stored.sid ?? null,
    idToken: stored.idToken ?? null,
  };
}

export function checkOrigin(method: string, origin: unknown): SessionOrigin {
  if (origin === null || typeof origin !== 'object' || Array.isArray(origin)) {
    throw new InvalidInputError(
      `${method}: pass the origin as { providerId, issuer, subject, sid?, idToken? }.`,
    );
  }
  const o = origin as Record<string, unknown>;
  return {
    providerId: text(method, 'origin.providerId', o.providerId, MAX_CLAIM_LENGTH),
    issuer: text(method, 'origin.issuer', o.issuer, MAX_ISSUER_LENGTH),
    subject: text(method, 'origin.subject', o.subject, MAX_CLAIM_LENGTH),
    sid: optionalText(method, 'origin.sid', o.sid, MAX_CLAIM_LENGTH),
    idToken: optionalText(method, 'origin.idToken', o.idToken, MAX_ID_TOKEN_LENGTH),
  };
}

/** SessionManager.recordOrigin: links a live session to the provider session it came from. */
export async function recordSessionOrigin(
  ctx: ManagerContext,
  sessionId: string,
  origin: SessionOrigin,
): Promise<boolean> {
  const id = checkSessionId('recordOrigin', sessionId);
  const checked = checkOrigin('recordOrigin', origin);
  const liveness = ctx.liveness(ctx.o.now());
  return ctx.call('recordOrigin', () => ctx.o.store.linkOrigin(id, checked, liveness));
}

/** SessionManager.getOrigin: the recorded origin of an ACTIVE session, or null. */
export async function getSessionOrigin(
  ctx: ManagerContext,
  sessionId: string,
): Promise<SessionOrigin | null> {
  const id = checkSessionId('getOrigin', sessionId);
  return ctx.call('getOrigin', () => ctx.o.store.getOrigin(id));
}

/**
 * SessionManager.endFederatedSessions: ends, as REVOKED with reason
 * `idp_logout`, every live session linked to the provider session `sid` (or,
 * with only `sub`, to that subject) of `issuer` that exists when the call
 * begins, in bounded batches, emitting `revoked` for each. Returns how many ended.
 */
export async function endFederatedSessions(
  ctx: ManagerContext,
  logout: FederatedLogout,
): Promise<number> {
  const method = 'endFederatedSessions';
  const opts = checkOptionsObject(method, logout);
  const match: FederatedMatch = {
    issuer: text(method, 'issuer', opts.issuer, MAX_ISSUER_LENGTH),
    sid: optionalText(method, 'sid', opts.sid, MAX_CLAIM_LENGTH),
    subject: optionalText(method, 'sub', opts.sub, MAX_CLAIM_LENGTH),
  };
  if (match.sid === null && match.subject === null) {
    throw new InvalidInputError(
      `${method}: pass sid, sub or both (the logout token's claims) with the issuer.`,
    );
  }
  const bound = opts.createdBefore;
  if (bound !== undefined && (!(bound instanceof Date) || Number.isNaN(bound.getTime()))) {
    throw new InvalidInputError(`${method}: createdBefore must be a valid Date.`);
  }
  const nowMs = ctx.o.now();
  const transition = ctx.transition('REVOKED', IDP_LOGOUT, nowMs);
  const liveness = ctx.liveness(nowMs);
  const createdAtOrBefore = new Date(Math.min(nowMs, bound?.getTime() ?? nowMs));
  let count = 0;
  let after: PageCursor | null = null;
  do {
    const batch = await ctx.call(method, () =>
      ctx.o.store.endFederated(match, transition, {
        liveness,
        createdAtOrBefore,
        limit: FEDERATED_BATCH,
        after,
      }),
    );
    for (const record of batch.ended) {
      count++;
      ctx.events.emit('revoked', { session: toPublicSession(record), reason: IDP_LOGOUT });
    }
    after = batch.next;
  } while (after !== null);
  return count;
}
