#!/usr/bin/env node
// End-to-end run: builds the packages and the app once, then runs the
// Playwright suite once per store (memory, a throwaway redis-server, a
// throwaway PostgreSQL cluster) on that one build, each pass with its own free
// ports. Usage:
//   node scripts/e2e.mjs [--store memory,redis,postgres,mongo] [--no-build] [--update-screenshot]
// Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM_PATH), for the
// Redis pass redis-server (or REDIS_SERVER_BIN), for the PostgreSQL pass
// initdb/pg_ctl (Debian's postgresql, or PG_BIN). The MongoDB pass runs against
// MONGODB_URI; by default it runs only when MONGODB_URI is set.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findPgBin,
  freePort,
  redisCommand,
  requireChromium,
  requireRedis,
  stalePackages,
  startPgServer,
  startRedisServer,
} from '@sessionkit-internal/test-support';
import pg from 'pg';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const rootDir = join(appDir, '..', '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const mongoUri = process.env.MONGODB_URI;
const stores = (
  option('--store') ?? (mongoUri ? 'memory,redis,postgres,mongo' : 'memory,redis,postgres')
)
  .split(',')
  .filter(Boolean);
const build = !args.includes('--no-build');
const updateScreenshot = args.includes('--update-screenshot');

for (const store of stores) {
  if (!['memory', 'redis', 'postgres', 'mongo'].includes(store)) {
    fail(
      `unknown store "${store}": use memory, redis, postgres, mongo or a list like memory,redis.`,
    );
  }
}
let chromium;
try {
  chromium = requireChromium();
} catch (error) {
  fail(error.message);
}
if (!stores.includes('mongo')) {
  console.log('MongoDB pass skipped: set MONGODB_URI to a MongoDB server to run it too.');
}
if (stores.includes('mongo') && !mongoUri) {
  fail('the mongo pass needs MONGODB_URI (no MongoDB server can be started here).');
}
if (stores.includes('redis')) {
  try {
    requireRedis();
  } catch (error) {
    fail(error.message);
  }
}
const pgBin = findPgBin();
if (stores.includes('postgres') && 'missing' in pgBin) fail(pgBin.missing);

// Each pass chooses its store through these; none leaks in from the caller.
const {
  REDIS_URL: _redisUrl,
  MONGODB_URI: _mongoUri,
  DATABASE_URL: _databaseUrl,
  ...callerEnv
} = process.env;
const env = {
  ...callerEnv,
  NEXT_TELEMETRY_DISABLED: '1',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  CHROMIUM_PATH: chromium,
};

const started = Date.now();
const timings = [];

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

function run(label, command, commandArgs, options = {}) {
  const t0 = Date.now();
  console.log(`\n▶ ${label}: ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env, ...options });
  const seconds = (Date.now() - t0) / 1000;
  timings.push([label, seconds, result.status === 0]);
  return result.status === 0;
}

for (const store of stores) {
  rmSync(join(appDir, 'test-results', `${store}-report.json`), { force: true });
}

let ok = true;
if (build) {
  const stale = stalePackages(rootDir);
  if (stale.length > 0) {
    ok = run('build packages', 'pnpm', ['--filter', './packages/*', 'build'], { cwd: rootDir });
  } else {
    console.log('packages are built and up to date');
  }
  ok &&= run('build app', 'pnpm', ['exec', 'next', 'build'], { cwd: appDir });
}

for (const store of ok ? stores : []) {
  const passEnv = { E2E_STORE: store, E2E_PORT: String(await freePort()) };
  passEnv.E2E_EXPIRY_PORT = String(await freePort());
  passEnv.E2E_SSO_PORT = String(await freePort());
  passEnv.E2E_LIMIT_PORT = String(await freePort());
  let redis;
  if (store === 'redis') {
    try {
      redis = await startRedisServer();
    } catch (error) {
      fail(error.message);
    }
    passEnv.REDIS_URL = redis.url;
    console.log(`\nredis-server started on 127.0.0.1:${redis.port}`);
  }
  let postgres;
  if (store === 'postgres') {
    try {
      postgres = await startPgServer({ bin: pgBin.bin });
    } catch (error) {
      fail(error.message);
    }
    passEnv.DATABASE_URL = postgres.url;
    console.log(`\nPostgreSQL started on 127.0.0.1:${postgres.port}`);
  }
  if (store === 'mongo') passEnv.MONGODB_URI = mongoUri;
  let passed;
  try {
    passed = run(`e2e (${store} store)`, 'pnpm', ['exec', 'playwright', 'test'], {
      cwd: appDir,
      env: { ...env, ...passEnv },
    });
    if (redis) {
      // Proof that the pass really went through Redis: the sessions are there.
      // DBSIZE answers `:<n>`.
      const keys = Number((await redisCommand(redis.port, 'DBSIZE')).slice(1).trim());
      console.log(`redis-server holds ${keys} keys after the run`);
      if (!(keys > 0)) {
        console.error('e2e: expected session keys in Redis after the Redis pass, found none.');
        passed = false;
      }
    }
    if (postgres) {
      // The same proof for PostgreSQL: the session rows are there.
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      const { rows } = await client
        .query('SELECT count(*)::int AS n FROM sessionkit_sessions')
        .catch(() => ({ rows: [{ n: 0 }] }));
      await client.end();
      console.log(`PostgreSQL holds ${rows[0].n} session rows after the run`);
      if (!(rows[0].n > 0)) {
        console.error('e2e: expected session rows in PostgreSQL after the pass, found none.');
        passed = false;
      }
    }
  } finally {
    await redis?.stop();
    postgres?.stop();
  }
  ok &&= passed;
}

if (ok && updateScreenshot) {
  const source = join(appDir, 'test-results', stores[0], 'session-management.png');
  const target = join(rootDir, 'docs', 'images', 'session-management.png');
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  console.log(`\nscreenshot copied to ${target}`);
}

// Totals over every pass, from Playwright's JSON reports.
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const store of stores) {
  const report = join(appDir, 'test-results', `${store}-report.json`);
  if (!existsSync(report)) continue;
  const { stats } = JSON.parse(readFileSync(report, 'utf8'));
  totals.passed += stats.expected + stats.flaky;
  totals.failed += stats.unexpected;
  totals.skipped += stats.skipped;
}

console.log('\nsummary');
for (const [label, seconds, passed] of timings) {
  console.log(`  ${passed ? 'ok  ' : 'FAIL'} ${label.padEnd(22)} ${seconds.toFixed(1)} s`);
}
console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`e2e: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok ? 0 : 1);
