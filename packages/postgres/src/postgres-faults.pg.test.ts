import { createServer, type Server, type Socket } from 'node:net';
import { SessionStoreError } from '@sessionkit/core';
import { CAPS, createTestClock, makeRecord } from '@sessionkit/core/testing';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema } from './schema.js';

const clock = createTestClock();
/** A complete ACTIVE record of `userId` (core's fixture). */
const testRecord = (userId: string, overrides: Parameters<typeof makeRecord>[1] = {}) =>
  makeRecord(clock, { ...overrides, userId }).record;

const TIMEOUT = 300;
/** Slack for timers and the event loop on a loaded 2-core machine. */
const SLACK = 250;

const timed = async <T>(fn: () => Promise<T>) => {
  const start = performance.now();
  try {
    return { ok: true as const, value: await fn(), ms: performance.now() - start };
  } catch (error) {
    return { ok: false as const, error, ms: performance.now() - start };
  }
};

describe('fail closed and fast: a server that accepts and never answers', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let pool: pg.Pool;

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    pool = new pg.Pool({ host: '127.0.0.1', port, user: 'x', database: 'x', max: 2 });
    pool.on('error', () => {});
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await pool.end().catch(() => undefined);
  });

  it('every call fails with SessionStoreError within the timeout (no pg error to rely on)', async () => {
    const store = createPostgresStore({ pool, timeout: TIMEOUT });
    const calls: (() => Promise<unknown>)[] = [
      () => store.get('some-id'),
      () => store.create(testRecord('hung-user'), null, CAPS),
      () => store.listActive('hung-user', { limit: 10, after: null }),
      () => store.get('other-id'),
    ];
    const results = await Promise.all(calls.map(timed));
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(r.ok ? null : r.error).toBeInstanceOf(SessionStoreError);
      expect(r.ms).toBeLessThan(TIMEOUT + SLACK);
    }
  });
});

const found = findPgBin();

if ('missing' in found) {
  describe('postgres fault tests', () => {
    it.skip(`skipped: ${found.missing}`, () => {});
  });
} else {
  describe('server killed mid-load (pg_ctl stop -m immediate), then restarted', () => {
    let server: PgServer;
    let pool: pg.Pool;

    beforeAll(async () => {
      server = await startPgServer({ bin: found.bin });
      pool = new pg.Pool({ connectionString: server.url, max: 4 });
      pool.on('error', () => {});
      await ensurePostgresSchema(pool);
    }, 60_000);

    afterAll(async () => {
      await pool?.end();
      server?.stop();
    });

    it('fails closed within the bound while down and recovers when it is back', async () => {
      // Healthy calls must pass on a loaded shared 2-core machine: a wider bound here.
      const bound = 1_000;
      const store = createPostgresStore({ pool, timeout: bound });
      const record = testRecord('fault-user');
      await store.create(record, null, CAPS);

      // Load: validations and sign-ins in flight when the server dies.
      let stop = false;
      const outcomes: { ok: boolean; ms: number; error?: unknown }[] = [];
      const worker = async (i: number) => {
        while (!stop) {
          outcomes.push(
            await timed(
              (): Promise<unknown> =>
                i % 3 === 0
                  ? store.create(testRecord('fault-user'), null, CAPS)
                  : store.get(record.id),
            ),
          );
        }
      };
      const workers = [0, 1, 2, 3].map(worker);
      await new Promise((r) => setTimeout(r, 300));
      const before = outcomes.length;
      server.kill();
      await new Promise((r) => setTimeout(r, 2_000));
      const down = outcomes.slice(before);
      stop = true;
      await Promise.all(workers);

      expect(
        outcomes
          .slice(0, before)
          .filter((o) => !o.ok)
          .map((o) => String(o.error)),
      ).toEqual([]);
      const failures = down.filter((o) => !o.ok);
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) {
        expect(f.error).toBeInstanceOf(SessionStoreError);
        expect(f.ms).toBeLessThan(bound + SLACK);
        // No hash or token in the message.
        expect(String((f.error as Error).message)).not.toContain(record.tokenHash);
      }
      // While down, a read never reports the session as valid.
      const whileDown = await timed(() => store.get(record.id));
      expect(whileDown.ok).toBe(false);

      server.start();
      let recovered = false;
      const deadline = Date.now() + 15_000;
      while (!recovered && Date.now() < deadline) {
        const r = await timed(() => store.get(record.id));
        recovered = r.ok && r.value?.id === record.id;
        if (!recovered) await new Promise((res) => setTimeout(res, 100));
      }
      expect(recovered).toBe(true);
      // Writes work again too, through the transaction path.
      const again = await store.create(testRecord('fault-user'), null, CAPS);
      expect(again.outcome).toBe('created');
    }, 60_000);
  });
}
