// Benchmarks @sessionkit/postgres through the session manager against raw
// node-postgres floors measured the same way, in the same run, on a private
// PostgreSQL cluster this script starts (initdb in a temp dir, free loopback
// port) and removes. Run from the repo root: `pnpm bench` (or
// `pnpm --filter ./bench bench:postgres` after `pnpm build`).
//
// BENCH_SECONDS=<n> sets the measured time per series (default 2 s); the
// measuring loop is bench/harness.mjs.
import { performance } from 'node:perf_hooks';
import { createSessionManager } from '@sessionkit/core';
import { createPostgresStore, ensurePostgresSchema } from '@sessionkit/postgres';
import { findPgBin, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { compare, createReport, SECONDS, warm } from './harness.mjs';

const CONCURRENCY = [1, 16];
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const found = findPgBin();
if ('missing' in found) {
  console.log(`postgres bench skipped: ${found.missing}`);
  process.exit(0);
}

const server = await startPgServer({ bin: found.bin });
const { line: report, ratio } = createReport(36);
try {
  const pool = new pg.Pool({ connectionString: server.url, max: 16 });
  pool.on('error', () => {});
  await ensurePostgresSchema(pool);
  const store = createPostgresStore({ pool });
  // validate() writes lastActivityAt at most once per session per touchInterval
  // (default 1 min), off the response. The fixtures below are built in one
  // burst, so with the default all 1000 sessions would cross that minute inside
  // the same series and it would measure 1000 UPDATEs: the validate series
  // measures the read every request pays (touches are one per session-minute).
  const manager = createSessionManager({
    store,
    secret: 'bench-secret-'.repeat(4),
    touchInterval: 60 * 60_000,
  });
  const version = (await pool.query('SHOW server_version')).rows[0].server_version;
  console.log(
    `sessionkit postgres bench: PostgreSQL ${version} on 127.0.0.1:${server.port}, node ${process.version}, ${SECONDS}s per series\n`,
  );

  const fixturesStarted = performance.now();
  const POOL = 1000;
  const tokens = [];
  const ids = [];
  for (let i = 0; i < POOL; i++) {
    const { token, session } = await manager.create({
      userId: `v-${i % 100}`,
      userAgent: UA,
      ipAddress: '198.51.100.7',
    });
    tokens.push(token);
    ids.push(session.id);
  }
  const LIST_USERS = 16;
  for (let u = 0; u < LIST_USERS; u++) {
    for (let k = 0; k < 50; k++) {
      await manager.create({ userId: `l-${u}`, userAgent: UA, ipAddress: '198.51.100.7' });
    }
  }
  await pool.query('ANALYZE');
  console.log(
    `fixtures: 1800 sessions in ${((performance.now() - fixturesStarted) / 1000).toFixed(1)} s\n`,
  );

  const ops = {
    'raw SELECT * by primary key': (i) =>
      pool.query('SELECT * FROM sessionkit_sessions WHERE id = $1', [ids[i % POOL]]),
    // The same lookup as a named statement (PostgreSQL parses and plans it once
    // per connection), as the store sends it: the best a hand-written lookup does.
    'raw SELECT * by primary key, named': (i) =>
      pool.query({
        name: 'bench_raw_get',
        text: 'SELECT * FROM sessionkit_sessions WHERE id = $1',
        values: [ids[i % POOL]],
      }),
    '  store.get': (i) => store.get(ids[i % POOL]),
    'manager.validate': (i) => manager.validate(tokens[i % POOL]),
    'raw SELECT * by user_id (50)': (i) =>
      pool.query(
        "SELECT * FROM sessionkit_sessions WHERE user_id = $1 AND status = 'ACTIVE' ORDER BY expires_at DESC, id DESC LIMIT 101",
        [`l-${i % LIST_USERS}`],
      ),
    '  store.listActive (50)': (i) =>
      store.listActive(`l-${i % LIST_USERS}`, { limit: 100, after: null }),
    'manager.list (50 sessions)': (i) => manager.list(`l-${i % LIST_USERS}`),
  };
  for (const c of CONCURRENCY) {
    for (const names of [
      [
        'raw SELECT * by primary key',
        'raw SELECT * by primary key, named',
        '  store.get',
        'manager.validate',
      ],
      ['raw SELECT * by user_id (50)', '  store.listActive (50)', 'manager.list (50 sessions)'],
    ]) {
      for (const name of names) await warm(ops[name], c);
      const [floor, ...rest] = await compare(
        names.map((n) => ops[n]),
        c,
      );
      report(names[0], c, floor);
      for (const [j, r] of rest.entries()) report(names[j + 1], c, r, floor);
    }
  }
  console.log('\nsummary');
  for (const c of CONCURRENCY) {
    const v = ratio('manager.validate', 'raw SELECT * by primary key', c);
    const n = ratio('manager.validate', 'raw SELECT * by primary key, named', c);
    const l = ratio('manager.list (50 sessions)', 'raw SELECT * by user_id (50)', c);
    console.log(
      `  c=${c}: validate ${v.ops.toFixed(2)}× raw PK SELECT ops/s (target ≥ 0.90; median of slices ${v.opsMedianSlice.toFixed(2)}×), CPU/op ${v.cpu.toFixed(2)}×; ${n.ops.toFixed(2)}× the named raw SELECT (median of slices ${n.opsMedianSlice.toFixed(2)}×); list ${l.ops.toFixed(2)}× raw SELECT by user_id (median of slices ${l.opsMedianSlice.toFixed(2)}×), CPU/op ${l.cpu.toFixed(2)}×`,
    );
  }
  await pool.end();
} finally {
  server.stop();
}
