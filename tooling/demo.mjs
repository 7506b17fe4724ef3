#!/usr/bin/env node
// One-command demo from a fresh clone: installs dependencies if needed, builds
// the sessionkit packages and the example CRM app (examples/next-app), starts it
// with `next start` and prints the URL and the demo accounts.
//
//   npm run demo                    # in-memory store, http://127.0.0.1:3000 (or the next free port)
//   PORT=4000 npm run demo
//   REDIS_URL=redis://127.0.0.1:6379 npm run demo
//   MONGODB_URI=mongodb://127.0.0.1:27017/crm npm run demo
//   npm run demo -- --no-build      # start what was built last time
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// By path, not by package name: the demo runs before `pnpm install` has linked
// the workspace (test-support needs nothing but node).
import { portIsFree, stalePackages } from './test-support/index.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const appDir = join(root, 'examples', 'next-app');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const host = process.env.HOST ?? '127.0.0.1';

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };

function step(message) {
  console.log(`\n› ${message}`);
}

function fail(message) {
  console.error(`\n✗ ${message}`);
  process.exit(1);
}

function run(command, commandArgs, cwd = root) {
  const result = spawnSync(command, commandArgs, { cwd, env, stdio: 'inherit' });
  if (result.error) fail(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0)
    fail(`${command} ${commandArgs.join(' ')} failed (exit ${result.status}).`);
}

// The pinned pnpm, as tooling/ensure-tools.sh finds or installs it (into
// .tmp/tools when the PATH has none, another version or a corepack shim).
function ensurePnpm() {
  const script = join(root, 'tooling', 'ensure-tools.sh');
  const result = spawnSync('bash', ['-c', 'source "$0" >&2 && command -v pnpm', script], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pnpm = result.stdout?.trim();
  if (result.status !== 0 || !pnpm) fail('pnpm 10.34.9 could not be set up (see above).');
  env.PATH = `${dirname(pnpm)}${delimiter}${env.PATH ?? ''}`;
}

async function choosePort() {
  if (process.env.PORT) return Number(process.env.PORT);
  for (let port = 3000; port < 3020; port++) {
    if (await portIsFree(port, host)) return port;
  }
  fail('ports 3000–3019 are all taken: set PORT to a free one.');
}

async function waitUntilUp(url, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) fail(`the app exited (code ${child.exitCode}) before it came up.`);
    try {
      const response = await fetch(url, { redirect: 'manual' });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`the app did not answer at ${url} within 60 s.`);
}

// 1. Tools and dependencies.
ensurePnpm();
if (!existsSync(join(appDir, 'node_modules', 'next'))) {
  step('installing dependencies (pnpm install --frozen-lockfile)');
  run('pnpm', ['install', '--frozen-lockfile']);
}

// 2. Build the packages the app consumes (their dist/), then the app.
if (build) {
  const stale = stalePackages(root);
  if (stale.length > 0) {
    step(`building packages (${stale.join(', ')} changed)`);
    run('pnpm', ['--filter', './packages/*', 'build']);
  } else {
    step('packages are built and up to date');
  }
  step('building the example app (next build)');
  run('pnpm', ['exec', 'next', 'build'], appDir);
} else if (!existsSync(join(appDir, '.next', 'BUILD_ID'))) {
  fail('the app was never built: run without --no-build.');
}

// 3. Start it.
const port = await choosePort();
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
const generatedSecret = !process.env.NEXTAUTH_SECRET;

// "Sign in with SSO": a local OpenID provider (oidc-provider) on loopback, with
// back-channel logout to the app (examples/next-app/scripts/sso-provider.mjs).
let ssoPort = Number(process.env.SSO_PORT ?? 0);
for (let p = 3900; !ssoPort && p < 3920; p++) {
  if (await portIsFree(p, '127.0.0.1')) ssoPort = p;
}
const ssoIssuer = ssoPort ? `http://127.0.0.1:${ssoPort}` : null;
const sso = ssoIssuer
  ? spawn(process.execPath, [join(appDir, 'scripts', 'sso-provider.mjs')], {
      cwd: appDir,
      env: { ...env, APP_URL: url, SSO_PORT: String(ssoPort) },
      stdio: 'inherit',
    })
  : null;
process.on('exit', () => sso?.kill());
const appEnv = {
  ...env,
  NODE_ENV: 'production',
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? url,
  // next-auth v4 needs a secret under `next start`. A fresh random one per run
  // is fine for a demo: restarting signs everybody out.
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? randomBytes(32).toString('base64url'),
  ...(ssoIssuer ? { SSO_ISSUER: ssoIssuer } : {}),
};
step(`starting the app (next start on ${host}:${port})`);
const nextBin = join(appDir, 'node_modules', 'next', 'dist', 'bin', 'next');
const child = spawn(
  process.execPath,
  [nextBin, 'start', '--hostname', host, '--port', String(port)],
  {
    cwd: appDir,
    env: appEnv,
    stdio: 'inherit',
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));

await waitUntilUp(`${url}/login`, child);

const users = JSON.parse(readFileSync(join(appDir, 'lib', 'demo-users.json'), 'utf8'));
const store = process.env.REDIS_URL
  ? 'Redis (REDIS_URL)'
  : process.env.MONGODB_URI
    ? 'MongoDB (MONGODB_URI)'
    : 'in-memory';
const line = '─'.repeat(64);
console.log(`
${line}
  Pipeline CRM — the sessionkit demo is running

  Open      ${url}
  Store     ${store}
  SSO       ${ssoIssuer ? `${ssoIssuer} ("Sign in with SSO"; any password; sign out there at ${ssoIssuer}/session/end)` : 'off (ports 3900–3919 taken: set SSO_PORT)'}
  Secret    ${generatedSecret ? 'NEXTAUTH_SECRET generated for this run (set it to keep sign-ins across restarts)' : 'NEXTAUTH_SECRET from your environment'}

  Demo accounts
${users.map((u) => `    ${u.email.padEnd(22)} password: ${u.password}`).join('\n')}

  Sign in as the same account in two browsers (or a normal and a
  private window), open "Devices" and sign one out from the other.
  Stop with Ctrl+C.
${line}
`);
