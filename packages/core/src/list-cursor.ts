import { InvalidInputError } from './errors.js';
import type { PageCursor } from './session-store.js';
import { isSessionId } from './token.js';

/**
 * Which part of a listing a cursor points into: a listing of several statuses
 * walks the user's ACTIVE records first ('a', by expiresAt), then the ended ones
 * ('e', by endedAt).
 */
export type ListPart = 'a' | 'e';

export interface ListPosition {
  part: ListPart;
  /** Null: the start of `part`. */
  after: PageCursor | null;
}

// `<part>.<time base36>.<session id>` or `<part>.` for the start of a part. Only
// URL-safe characters, so it travels in a query string as is.
const CURSOR = /^([ae])\.(?:([0-9a-z]{1,11})\.([A-Za-z0-9_-]{28}))?$/;
const MAX_TIME = 8.64e15;

/** Encodes a listing position as the opaque `nextCursor` string. */
export function encodeCursor(position: ListPosition): string {
  const { part, after } = position;
  return after === null ? `${part}.` : `${part}.${after.at.getTime().toString(36)}.${after.id}`;
}

/** Decodes a cursor from `encodeCursor`; anything else is InvalidInputError. */
export function decodeCursor(method: string, cursor: unknown): ListPosition | null {
  if (cursor === undefined || cursor === null) return null;
  const match = typeof cursor === 'string' ? CURSOR.exec(cursor) : null;
  if (!match) {
    throw new InvalidInputError(
      `${method}: cursor is malformed; pass the nextCursor of a previous page unchanged (or omit it for the first page).`,
    );
  }
  const part = match[1] as ListPart;
  if (match[2] === undefined) return { part, after: null };
  const at = Number.parseInt(match[2], 36);
  const id = match[3] as string;
  if (!(at >= 0 && at <= MAX_TIME) || !isSessionId(id)) {
    throw new InvalidInputError(`${method}: cursor is malformed; pass a nextCursor unchanged.`);
  }
  return { part, after: { at: new Date(at), id } };
}
