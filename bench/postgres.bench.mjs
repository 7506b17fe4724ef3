// Benchmarks @sessionkit/postgres through the session manager against raw
// node-postgres floors measured the same way, in the same run, on a private
// PostgreSQL cluster this script starts (initdb in a temp dir, free loopback
// port) and removes. Run from the repo root: `pnpm bench` (or
// `pnpm --filter ./bench bench:postgres` after `pnpm build`).
//
// BENCH_SECONDS=<n> sets the measured time per series (default 2 s).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSessionManager } from '@sessionkit/core';
import { createPostgresStore, ensurePostgresSchema } from '@sessionkit/postgres';
import pg from 'pg';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONCURRENCY = [1, 16];
const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const root = '/usr/lib/postgresql';
const bin = existsSync(root)
  ? readdirSync(root)
      .sort()
      .reverse()
      .map((v) => join(root, v, 'bin'))
      .find((d) => existsSync(join(d, 'initdb')))
  : undefined;
if (!bin) {
  console.log(
    'postgres bench skipped: no initdb under /usr/lib/postgresql/*/bin (apt-get install -y postgresql)',
  );
  process.exit(0);
}

const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'sessionkit-pg-bench-'));
const asRoot = process.getuid?.() === 0;
const run = (tool, args) =>
  execFileSync(
    asRoot ? 'runuser' : join(bin, tool),
    asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args,
    { stdio: 'pipe' },
  );
if (asRoot) execFileSync('chown', ['postgres', dir]);
run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
run('pg_ctl', [
  '-D',
  join(dir, 'data'),
  '-o',
  `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`,
  '-l',
  join(dir, 'log'),
  '-w',
  'start',
]);
const stop = () => {
  try {
    run('pg_ctl', ['-D', join(dir, 'data'), 'stop', '-m', 'immediate']);
  } catch {}
  rmSync(dir, { recursive: true, force: true });
};

function summary({ latencies, elapsed }) {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { ops: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99) };
}

async function slice(op, concurrency, ms, into) {
  const end = performance.now() + ms;
  const loop = async () => {
    while (performance.now() < end) {
      const i = into.issued++;
      const t0 = performance.now();
      await op(i);
      into.latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  into.elapsed += performance.now() - started;
}

/** Alternating slices, so floor and store see the same background load. */
async function compare(ops, concurrency, slices = 8) {
  const tallies = ops.map(() => ({ latencies: [], elapsed: 0, issued: 0 }));
  for (const op of ops) await slice(op, concurrency, 250, { latencies: [], elapsed: 0, issued: 0 });
  for (let k = 0; k < slices; k++) {
    for (const [j, op] of ops.entries())
      await slice(op, concurrency, (SECONDS * 1000) / slices, tallies[j]);
  }
  return tallies.map(summary);
}

function report(name, c, r, floor) {
  const fmt = (v, d = 0) => v.toFixed(d).padStart(9);
  let line = `${name.padEnd(36)} c=${String(c).padEnd(3)} ${fmt(r.ops)} ops/s  p50 ${fmt(r.p50 * 1000)} µs  p99 ${fmt(r.p99 * 1000)} µs`;
  if (floor)
    line += `   vs floor: ${(r.ops / floor.ops).toFixed(2)}× ops/s, p99 ${(r.p99 / floor.p99).toFixed(2)}×`;
  console.log(line);
}

try {
  const pool = new pg.Pool({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    max: 16,
  });
  pool.on('error', () => {});
  await ensurePostgresSchema(pool);
  const store = createPostgresStore({ pool });
  const manager = createSessionManager({ store });
  const version = (await pool.query('SHOW server_version')).rows[0].server_version;
  console.log(
    `sessionkit postgres bench: PostgreSQL ${version} on 127.0.0.1:${port}, node ${process.version}, ${SECONDS}s per series\n`,
  );

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

  const ops = {
    'raw SELECT * by primary key': (i) =>
      pool.query('SELECT * FROM sessionkit_sessions WHERE id = $1', [ids[i % POOL]]),
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
  const summaryLines = [];
  for (const c of CONCURRENCY) {
    const results = {};
    for (const names of [
      ['raw SELECT * by primary key', '  store.get', 'manager.validate'],
      ['raw SELECT * by user_id (50)', '  store.listActive (50)', 'manager.list (50 sessions)'],
    ]) {
      const [floor, ...rest] = await compare(
        names.map((n) => ops[n]),
        c,
      );
      report(names[0], c, floor);
      for (const [j, r] of rest.entries()) report(names[j + 1], c, r, floor);
      results[names[0]] = floor;
      for (const [j, r] of rest.entries()) results[names[j + 1]] = r;
    }
    const v = results['manager.validate'].ops / results['raw SELECT * by primary key'].ops;
    const l =
      results['manager.list (50 sessions)'].ops / results['raw SELECT * by user_id (50)'].ops;
    summaryLines.push(
      `  c=${c}: validate ${v.toFixed(2)}× raw PK SELECT ops/s (target ≥ 0.90); list ${l.toFixed(2)}× raw SELECT by user_id`,
    );
  }
  console.log(`\nsummary\n${summaryLines.join('\n')}`);
  await pool.end();
} finally {
  stop();
}
