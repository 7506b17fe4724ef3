#!/usr/bin/env node
// End-to-end run: builds the packages and the app, then runs the Playwright
// suite once per store (memory, then a throwaway redis-server), each pass with
// its own free ports. Usage:
//   node scripts/e2e.mjs [--store memory,redis,mongo] [--no-build] [--update-screenshot]
// Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM_PATH) and, for the
// Redis pass, redis-server (or REDIS_SERVER_PATH). The MongoDB pass runs against
// MONGODB_URI; by default it runs only when MONGODB_URI is set.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const rootDir = join(appDir, '..', '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const mongoUri = process.env.MONGODB_URI;
const stores = (option('--store') ?? (mongoUri ? 'memory,redis,mongo' : 'memory,redis'))
  .split(',')
  .filter(Boolean);
const build = !args.includes('--no-build');
const updateScreenshot = args.includes('--update-screenshot');
const redisServer = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

for (const store of stores) {
  if (!['memory', 'redis', 'mongo'].includes(store)) {
    fail(`unknown store "${store}": use memory, redis, mongo or a list like memory,redis.`);
  }
}
if (!existsSync(chromium)) {
  fail(
    `no chromium at ${chromium}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
}
if (!stores.includes('mongo')) {
  console.log('MongoDB pass skipped: set MONGODB_URI to a MongoDB server to run it too.');
}
if (stores.includes('mongo') && !mongoUri) {
  fail('the mongo pass needs MONGODB_URI (no MongoDB server can be started here).');
}
if (stores.includes('redis') && !existsSync(redisServer)) {
  fail(
    `no redis-server at ${redisServer}: install it (apt-get install -y redis-server) or set REDIS_SERVER_PATH.`,
  );
}

// Each pass chooses its store through these; none leaks in from the caller.
const { REDIS_URL: _redisUrl, MONGODB_URI: _mongoUri, ...callerEnv } = process.env;
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

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'sessionkit-e2e-redis-'));
  const port = await freePort();
  const result = spawnSync(
    redisServer,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--pidfile',
      join(dir, 'redis.pid'),
      '--dir',
      dir,
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) fail('redis-server did not start.');
  // Wait until it answers.
  for (let i = 0; i < 50; i++) {
    if (redisCli(port, 'ping').trim() === 'PONG') {
      return { port, dir, url: `redis://127.0.0.1:${port}` };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`redis-server on port ${port} did not answer PING.`);
}

function redisCli(port, ...command) {
  const cli = join(dirname(redisServer), 'redis-cli');
  const result = spawnSync(existsSync(cli) ? cli : 'redis-cli', ['-p', String(port), ...command], {
    encoding: 'utf8',
  });
  return result.stdout ?? '';
}

function stopRedis(redis) {
  redisCli(redis.port, 'shutdown', 'nosave');
  rmSync(redis.dir, { recursive: true, force: true });
}

// Newest modification time of the files under a directory (0 when absent).
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

// Packages whose dist/ is missing or older than their src/.
function stalePackages() {
  const packagesDir = join(rootDir, 'packages');
  return readdirSync(packagesDir).filter((name) => {
    const dir = join(packagesDir, name);
    if (!existsSync(join(dir, 'package.json'))) return false;
    const dist = newest(join(dir, 'dist'));
    return dist === 0 || newest(join(dir, 'src')) > dist;
  });
}

for (const store of stores) {
  rmSync(join(appDir, 'test-results', `${store}-report.json`), { force: true });
}

let ok = true;
if (build) {
  const stale = stalePackages();
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
  let redis;
  if (store === 'redis') {
    redis = await startRedis();
    passEnv.REDIS_URL = redis.url;
    console.log(`\nredis-server started on 127.0.0.1:${redis.port}`);
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
      const keys = Number(redisCli(redis.port, 'dbsize').trim());
      console.log(`redis-server holds ${keys} keys after the run`);
      if (!(keys > 0)) {
        console.error('e2e: expected session keys in Redis after the Redis pass, found none.');
        passed = false;
      }
    }
  } finally {
    if (redis) stopRedis(redis);
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
