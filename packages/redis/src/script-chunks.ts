import type { PageReply } from './scripts/page.js';

// Redis runs one command at a time, and a Lua script is one command: while a
// user's listing page or revokeAll batch runs, every other client's GET waits.
// So a store call that examines `limit` index entries runs as several scripts
// of at most a chunk each, each continuing from the entry the previous one
// stopped at, exactly as the next call would. The chunks are sized so that one
// script takes about 0.2 ms (bench/redis-attack.bench.mjs measures it: a page
// entry costs about 5 µs, ending a session about 40 µs); a user with the
// default limit of 100 sessions pays a few extra loopback round trips (about
// 0.05 ms each) per page, and a victim's validate waits a fifth as long behind
// a heavy user's script.

/** Index entries one listing script examines. */
export const PAGE_CHUNK = 25;
/** Sessions one revokeAll script examines. */
export const END_ALL_CHUNK = 5;

/** A paged script's cursor fields ('' = from the top). */
export interface ChunkCursor {
  afterScore: number | string;
  afterId: string;
}

/**
 * Runs `runChunk` over up to `limit` index entries from `cursor`, `chunk` at a
 * time, and replies as one script of `limit` would: the values of every chunk
 * in order, and the cursor after the last entry examined ('' when exhausted).
 */
export async function inChunks(
  limit: number,
  cursor: ChunkCursor,
  chunk: number,
  runChunk: (limit: number, cursor: ChunkCursor) => Promise<PageReply>,
): Promise<PageReply> {
  const values: string[] = [];
  let at = cursor;
  let left = limit;
  for (;;) {
    const n = Math.min(chunk, left);
    const [score, id, ...got] = await runChunk(n, at);
    for (const value of got) values.push(value);
    left -= n;
    if (score === '' || left <= 0) return [score, id, ...values];
    at = { afterScore: score, afterId: id };
  }
}
