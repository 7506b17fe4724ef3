import type { PageCursor, RecordPage, SessionRecord } from '@sessionkit/core';

/** Listing order of two positions: score, then id (as Redis orders equal scores). */
function comparePosition(a: PageCursor, b: PageCursor): number {
  return a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Pages over every shard a user's records may live in — two only while the
 * shard migration lasts (see `shardsOf` in the store). Each shard is read from
 * the same cursor and the pages are merged in listing order up to the position
 * the least advanced shard reached, so across pages no record is skipped or
 * repeated. `keep: 'all'` keeps records past that position too (endAll: they
 * were already ended and left the active index, so no later batch sees them).
 */
export async function acrossShards(
  shards: readonly string[],
  positionOf: (record: SessionRecord) => number,
  read: (shard: string) => Promise<RecordPage>,
  keep: 'page' | 'all' = 'page',
): Promise<RecordPage> {
  if (shards.length === 1) return read(shards[0] as string);
  const pages = await Promise.all(shards.map(read));
  // Descending order: the least advanced shard stopped at the greatest position.
  let next: PageCursor | null = null;
  for (const page of pages) {
    if (page.next !== null && (next === null || comparePosition(page.next, next) > 0)) {
      next = page.next;
    }
  }
  const bound = next;
  const records = pages
    .flatMap((page) => page.records)
    .filter(
      (r) =>
        keep === 'all' ||
        bound === null ||
        comparePosition({ at: new Date(positionOf(r)), id: r.id }, bound) >= 0,
    )
    .sort((x, y) =>
      comparePosition(
        { at: new Date(positionOf(y)), id: y.id },
        { at: new Date(positionOf(x)), id: x.id },
      ),
    );
  return { records, next };
}
