#!/usr/bin/env node
// End-to-end run of the next-auth v5 example: builds the packages (when stale)
// and the app, starts `next start` on a free port with a fresh AUTH_SECRET,
// runs the Playwright suite against it, stops the server. Usage:
//   node scripts/e2e.mjs [--no-build]
// Needs Debian's chromium at /usr/bin/chromium (or CHROMIUM_PATH).
// The last line of output is always `e2e-v5: N passed, N failed, N skipped`;
// the exit code is 0 only when everything passed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromiumLaunchOptions,
  freePort,
  requireChromium,
  stalePackages,
} from '@sessionkit-internal/test-support';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const rootDir = join(appDir, '..', '..');
const build = !process.argv.slice(2).includes('--no-build');
const chromium = chromiumLaunchOptions().executablePath;
const resultsDir = join(appDir, 'test-results');
const reportFile = join(resultsDir, 'report.json');

const started = Date.now();
const timings = [];
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  CHROMIUM_PATH: chromium,
};

function finish(ok, totals = { passed: 0, failed: 0, skipped: 0 }) {
  console.log('\nsummary');
  for (const [label, seconds, passed] of timings) {
    console.log(`  ${passed ? 'ok  ' : 'FAIL'} ${label.padEnd(16)} ${seconds.toFixed(1)} s`);
  }
  console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    `e2e-v5: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`,
  );
  process.exit(ok ? 0 : 1);
}

function run(label, command, args, options = {}) {
  const t0 = Date.now();
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env, ...options });
  timings.push([label, (Date.now() - t0) / 1000, result.status === 0]);
  return result.status === 0;
}

try {
  requireChromium();
} catch (error) {
  console.error(`e2e-v5: ${error.message}`);
  finish(false);
}
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

if (build) {
  // The workspace packages this app uses.
  const stale = stalePackages(rootDir, ['core', 'next-auth', 'react']);
  if (stale.length > 0) {
    const filters = stale.flatMap((name) => ['--filter', `@sessionkit/${name}`]);
    if (!run('build packages', 'pnpm', [...filters, 'build'], { cwd: rootDir })) finish(false);
  } else {
    console.log('packages are built and up to date');
  }
  if (!run('build app', 'pnpm', ['exec', 'next', 'build'], { cwd: appDir })) finish(false);
} else if (!existsSync(join(appDir, '.next', 'BUILD_ID'))) {
  console.error('e2e-v5: --no-build, but the app has no build: run without --no-build.');
  finish(false);
}

// The server: its own process group, so stopping it stops everything it spawned.
const port = await freePort();
const baseURL = `http://127.0.0.1:${port}`;
let serverLog = '';
const t0 = Date.now();
// Node runs next's CLI directly (not through pnpm), so the server is this
// script's own child and is reaped when it stops.
const nextBin = join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next');
const server = spawn(
  process.execPath,
  [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(port)],
  {
    cwd: appDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      NODE_ENV: 'production',
      AUTH_SECRET: randomBytes(32).toString('base64url'),
      // The tests play the reverse proxy: each device's IP arrives as X-Forwarded-For.
      SESSIONKIT_TRUST_PROXY: '1',
    },
  },
);
server.stdout.on('data', (chunk) => {
  serverLog += chunk;
});
server.stderr.on('data', (chunk) => {
  serverLog += chunk;
});
let serverExited = false;
const serverExit = new Promise((resolve) => {
  server.on('exit', () => {
    serverExited = true;
    resolve();
  });
});

function stopServer() {
  if (serverExited) return;
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
process.on('exit', stopServer);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopServer();
    finish(false);
  });
}

let up = false;
for (let i = 0; i < 150 && !serverExited; i++) {
  try {
    const response = await fetch(`${baseURL}/login`);
    if (response.ok) {
      up = true;
      break;
    }
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 200));
}
timings.push(['start server', (Date.now() - t0) / 1000, up]);
if (!up) {
  console.error(`e2e-v5: next start did not answer on ${baseURL}/login.\n${serverLog}`);
  stopServer();
  finish(false);
}
console.log(`\nnext start listening on ${baseURL}`);

let ok = run('playwright', 'pnpm', ['exec', 'playwright', 'test'], {
  cwd: appDir,
  env: { ...env, E2E_BASE_URL: baseURL },
});
stopServer();
// Wait for it to be gone (SIGKILL after 5 s), so nothing outlives the run.
const stopped = await Promise.race([
  serverExit.then(() => true),
  new Promise((r) => setTimeout(() => r(false), 5_000)),
]);
if (!stopped) {
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await serverExit;
}

// The default getHeaders must have read next/headers at every sign-in: it warns when it cannot.
if (serverLog.includes('could not read the request headers')) {
  console.error('e2e-v5: the server warned that next/headers could not be read at sign-in.');
  ok = false;
}
if (!ok) console.log(`\nserver output:\n${serverLog.trim() || '(none)'}`);

const totals = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(reportFile)) {
  const { stats } = JSON.parse(readFileSync(reportFile, 'utf8'));
  totals.passed = stats.expected + stats.flaky;
  totals.failed = stats.unexpected;
  totals.skipped = stats.skipped;
} else {
  ok = false;
}
finish(ok && totals.failed === 0 && totals.passed > 0, totals);
