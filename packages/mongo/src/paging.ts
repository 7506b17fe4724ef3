import type { PageCursor, PageQuery } from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import { date } from './codec.js';
import type { SessionDoc } from './schema.js';

// Reads of the sessions collection: whole result sets and keyset pages in the
// stable (field, _id) order the contract asks for (see docs/writing-a-store.md).

type Filter = mongo.Filter<SessionDoc>;

/** Reads every matching document. */
export async function findAllIn(
  sessions: mongo.Collection<SessionDoc>,
  filter: Filter,
  options?: mongo.FindOptions,
): Promise<SessionDoc[]> {
  // A mongoose collection that buffers returns a Promise of the cursor
  // instead of the cursor itself (the store's models do not buffer, but a
  // collection given to createCollectionStore may); awaiting covers both.
  const cursor = await (sessions.find(filter, options) as
    | mongo.FindCursor<SessionDoc>
    | Promise<mongo.FindCursor<SessionDoc>>);
  return (await cursor.toArray()) as SessionDoc[];
}

/**
 * One page in descending (field, _id) order after `after`; reads `limit + 1`
 * to know whether more follow. Records of another user are dropped.
 */
export async function pageIn(
  sessions: mongo.Collection<SessionDoc>,
  userId: string,
  filter: Filter,
  field: 'expiresAt' | 'endedAt',
  query: PageQuery,
  projection?: mongo.Document,
): Promise<{ docs: SessionDoc[]; next: PageCursor | null }> {
  const after = query.after;
  const position: Filter =
    after === null
      ? {}
      : { $or: [{ [field]: { $lt: after.at } }, { [field]: after.at, _id: { $lt: after.id } }] };
  const found = await findAllIn(
    sessions,
    { ...filter, ...position, userId },
    {
      sort: { [field]: -1, _id: -1 },
      limit: query.limit + 1,
      ...(projection ? { projection } : {}),
    },
  );
  const docs = found.slice(0, query.limit).filter((d) => d.userId === userId);
  const last = found[query.limit - 1];
  const lastAt = last?.[field];
  const next =
    found.length > query.limit && last && lastAt ? { at: date(lastAt), id: last._id } : null;
  return { docs, next };
}
