import { createSessionManager } from '@sessionkit/core';
import { type RedisServer, startRedisServer } from '@sessionkit-internal/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';
import { END_ALL_CHUNK, inChunks, PAGE_CHUNK } from './script-chunks.js';
import type { PageReply } from './scripts/page.js';

it('inChunks replies as one script over the same entries would', async () => {
  // An index of 12 entries, newest first; a chunk returns the even ones.
  const index = Array.from({ length: 12 }, (_, i) => ({ id: `s${11 - i}`, score: 100 - i }));
  const limits: number[] = [];
  const runChunk = async (limit: number, at: { afterScore: number | string; afterId: string }) => {
    limits.push(limit);
    const from = at.afterScore === '' ? 0 : index.findIndex((e) => e.id === at.afterId) + 1;
    const entries = index.slice(from, from + limit);
    const more = from + limit < index.length;
    const last = entries.at(-1);
    const next = more && last ? [String(last.score), last.id] : ['', ''];
    return [
      ...next,
      ...entries.filter((e) => Number(e.id.slice(1)) % 2 === 0).map((e) => e.id),
    ] as PageReply;
  };
  expect(await inChunks(10, { afterScore: '', afterId: '' }, 4, runChunk)).toEqual([
    '91',
    's2',
    's10',
    's8',
    's6',
    's4',
    's2',
  ]);
  expect(limits).toEqual([4, 4, 2]);
  limits.length = 0;
  expect(await inChunks(10, { afterScore: '91', afterId: 's2' }, 4, runChunk)).toEqual([
    '',
    '',
    's0',
  ]);
  expect(limits).toEqual([4]);
});

let server: RedisServer;
let admin: Redis;
let client: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: '127.0.0.1', port: server.port });
  client = new Redis({ host: '127.0.0.1', port: server.port });
});
afterAll(async () => {
  admin?.disconnect();
  client?.disconnect();
  await server?.stop();
});

/** Scripts Redis ran so far (EVALSHA calls; commands inside a script not counted). */
async function scriptsRun(): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(stats.match(/cmdstat_evalsha:calls=(\d+)/)?.[1] ?? 0);
}

it('no single Redis script examines more than a chunk of a heavy user’s sessions', async () => {
  const manager = createSessionManager({
    store: createRedisStore({ client, prefix: 'chunks:' }),
    maxSessionsPerUser: null,
  });
  const count = 60;
  for (let i = 0; i < count; i++) await manager.create({ userId: 'heavy', userAgent: 'UA' });

  // One page of up to 100: the active index read PAGE_CHUNK entries per script.
  let before = await scriptsRun();
  const page = await manager.listPage('heavy', { status: 'ACTIVE' });
  expect(page.sessions).toHaveLength(count);
  expect(new Set(page.sessions.map((s) => s.id)).size).toBe(count);
  expect((await scriptsRun()) - before).toBeGreaterThanOrEqual(Math.ceil(count / PAGE_CHUNK));

  // revokeAll ends END_ALL_CHUNK sessions per script, and exactly every one.
  before = await scriptsRun();
  expect(await manager.revokeAll('heavy')).toBe(count);
  expect((await scriptsRun()) - before).toBeGreaterThanOrEqual(count / END_ALL_CHUNK);
  expect((await manager.listPage('heavy', { status: 'ACTIVE' })).sessions).toEqual([]);
  expect(await manager.history('heavy', { limit: 100 })).toHaveLength(count);
});
