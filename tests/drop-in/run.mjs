#!/usr/bin/env node
// Drop-in check: installs the packed tarballs (`pnpm pack` of every package)
// into separately scaffolded apps kept in tests/drop-in/apps (a Next.js 15.5 +
// next-auth v5 app: own callbacks, adapter + JWT, basePath /auth, middleware,
// React 18; and a next-auth v4 app), copied to a temp dir and installed with
// npm from the registry, wired as the docs say. Builds each app once per
// middleware variant and drives two Chromium contexts through sign-in → list →
// revoke → the revoked one is signed out on its next request, on the memory
// store and on a real redis-server (same build, store chosen by REDIS_URL).
// The last line is always `drop-in: N passed, N failed`. Run after `pnpm build`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromiumLaunchOptions,
  freePort,
  requireRedis,
  startRedisServer,
} from '@sessionkit-internal/test-support';

const root = new URL('../..', import.meta.url).pathname;
const appsDir = new URL('./apps', import.meta.url).pathname;
const chromium = chromiumLaunchOptions().executablePath;
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'sessionkit-drop-in-'));
const started = Date.now();
const results = [];
const cleanups = [];

const NEXT = '15.5.29';
const COMMON = [
  `next@${NEXT}`,
  'react@18.3.1',
  'react-dom@18.3.1',
  'ioredis@6.0.0',
  'typescript@5.9.3',
  '@types/react@18.3.32',
  '@types/react-dom@18.3.7',
  '@types/node@20.19.25',
  'playwright-core@1.65.1',
];
const APPS = {
  v5: { deps: [...COMMON, 'next-auth@5.0.0-beta.32'], authBase: '/auth' },
  v4: { deps: [...COMMON, 'next-auth@4.24.15'], authBase: '/api/auth' },
};
const LAPTOP_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

const log = (line) => console.log(line);
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

function record(name, ok, detail = '') {
  results.push({ name, ok });
  log(`${ok ? '✓' : '✗'} ${name}${detail ? `\n${detail}` : ''}`);
}

function finish() {
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
  if (!keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log(`\ntotal ${seconds()}`);
  log(`drop-in: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => finish());

const run = (cmd, args, cwd, env = {}) =>
  spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });

// 1. The tarballs, as `npm publish` would ship them.
function pack() {
  const dir = join(work, 'tarballs');
  const tarballs = [];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const pkgDir = join(root, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const out = execFileSync('pnpm', ['pack', '--pack-destination', dir], {
      cwd: pkgDir,
      encoding: 'utf8',
    });
    tarballs.push(out.trim().split('\n').pop());
  }
  return tarballs;
}

// 2. A copy of the app, installed with npm from the registry plus the tarballs.
function install(name, tarballs) {
  const dir = join(work, name);
  cpSync(join(appsDir, name), dir, { recursive: true });
  const result = run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...APPS[name].deps],
    dir,
  );
  record(`${name}: npm install of the tarballs`, result.status === 0, result.stderr.trim());
  return result.status === 0 ? dir : null;
}

// 3. One build per middleware variant, each in its own distDir.
function build(dir, label, distDir, swaps = {}) {
  const saved = {};
  for (const [target, source] of Object.entries(swaps)) {
    saved[target] = existsSync(join(dir, target)) ? readFileSync(join(dir, target), 'utf8') : null;
    writeFileSync(join(dir, target), readFileSync(join(dir, source), 'utf8'));
  }
  try {
    const t0 = Date.now();
    const result = run(
      process.execPath,
      [join(dir, 'node_modules/next/dist/bin/next'), 'build'],
      dir,
      {
        DROP_IN_DIST_DIR: distDir,
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    log(
      `  ${label}: next build ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    return { ok: result.status === 0, output };
  } finally {
    for (const [target, content] of Object.entries(saved)) {
      if (content === null) rmSync(join(dir, target));
      else writeFileSync(join(dir, target), content);
    }
  }
}

async function startNext(dir, distDir, env = {}) {
  const port = await freePort();
  // The browser uses `localhost`: the URL next-auth redirects to (and sets its
  // cookie on) is built from what Next.js reports, which is localhost.
  const baseURL = `http://localhost:${port}`;
  const probeURL = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(
    process.execPath,
    [
      join(dir, 'node_modules/next/dist/bin/next'),
      'start',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        DROP_IN_DIST_DIR: distDir,
        AUTH_SECRET: randomBytes(32).toString('base64url'),
        NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
        NEXTAUTH_URL: baseURL,
        ...env,
      },
    },
  );
  child.stdout.on('data', (c) => {
    output += c;
  });
  child.stderr.on('data', (c) => {
    output += c;
  });
  let exited = false;
  const exit = new Promise((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve(true);
    }),
  );
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const gone = await Promise.race([exit, new Promise((r) => setTimeout(() => r(false), 5_000))]);
    if (!gone) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  cleanups.push(() => {
    if (!exited) process.kill(-child.pid, 'SIGKILL');
  });
  for (let i = 0; i < 150 && !exited; i++) {
    try {
      await fetch(`${probeURL}/api/sessions`);
      return { baseURL, probeURL, stop, output: () => output };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await stop();
  throw new Error(`next start did not answer on ${baseURL}\n${output}`);
}

async function startRedis() {
  try {
    requireRedis();
  } catch {
    return null;
  }
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  return server;
}

// 4. Two devices: sign in on both, the list shows both (live), one revokes the
// other, whose next request is signed out.
async function scenario(playwright, baseURL, authBase) {
  const browser = await playwright.chromium.launch(chromiumLaunchOptions());
  try {
    const device = async (userAgent) => {
      const context = await browser.newContext({ userAgent, baseURL });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      return { context, page };
    };
    const signIn = async ({ page }) => {
      await page.goto('/');
      // Middleware (v5) or the page (v4) sends a signed-out visitor to next-auth's sign-in page.
      await page.waitForURL((url) => url.pathname === `${authBase}/signin`);
      await page.fill('input[name="username"]', 'alice');
      await page.fill('input[name="password"]', 'drop-in');
      await page.click('button[type="submit"]');
      await page.waitForURL((url) => !url.pathname.startsWith(authBase));
      await page.goto('/');
      await page.getByTestId('signed-in-as').waitFor();
      const name = await page.getByTestId('signed-in-as').textContent();
      if (name !== 'Alice') throw new Error(`signed in as ${name}`);
    };
    const rows = (page) => page.locator('.sk-sessions__list > li');
    const waitForRows = async (page, n) => {
      for (let i = 0; i < 100; i++) {
        if ((await rows(page).count()) === n) return;
        await page.waitForTimeout(100);
      }
      throw new Error(`expected ${n} sessions listed, saw ${await rows(page).count()}`);
    };

    const laptop = await device(LAPTOP_UA);
    const phone = await device(PHONE_UA);
    await signIn(laptop);
    await laptop.page.goto('/settings');
    await waitForRows(laptop.page, 1);
    await signIn(phone);
    // The open settings page picks the new device up by itself (refreshInterval).
    await waitForRows(laptop.page, 2);

    const other = rows(laptop.page).filter({ hasNotText: 'This device' });
    await other.getByRole('button', { name: /^Sign out/ }).click();
    await other.getByRole('button', { name: 'Yes, sign out' }).click();
    // The row leaves at once (optimistic); the announcement waits for the server.
    await laptop.page
      .getByRole('status')
      .filter({ hasText: /^Signed out / })
      .waitFor();
    await waitForRows(laptop.page, 1);

    // The revoked phone's very next request lands on the sign-in page.
    await phone.page.goto('/');
    await phone.page.waitForURL((url) => url.pathname === `${authBase}/signin`);
    // The laptop is unaffected.
    await laptop.page.goto('/');
    await laptop.page.getByTestId('signed-in-as').waitFor();
  } finally {
    await browser.close();
  }
}

async function check(name, fn) {
  try {
    await fn();
    record(name, true);
  } catch (error) {
    record(name, false, String(error?.stack ?? error));
  }
}

try {
  if (!existsSync(chromium)) {
    record('chromium present', false, `no chromium at ${chromium}: apt-get install -y chromium`);
    finish();
  }
  const tarballs = pack();
  log(`packed ${tarballs.length} tarballs (${seconds()})`);
  const redis = await startRedis();
  if (!redis) record('redis-server present', false, 'apt-get install -y redis-server');
  const stores = [['memory', {}], ...(redis ? [['redis', { REDIS_URL: redis.url }]] : [])];

  // DROP_IN_ONLY=v4 (or v5) runs one app, e.g. while working on it.
  const only = process.env.DROP_IN_ONLY;
  for (const name of ['v5', 'v4'].filter((n) => !only || n === only)) {
    const dir = install(name, tarballs);
    if (!dir) continue;
    const playwright = createRequire(join(dir, 'package.json'))('playwright-core');
    const { authBase } = APPS[name];

    // The documented set-up: middleware on Node.js (v5), or none (v4).
    const main = build(dir, `${name} (as documented)`, '.next');
    record(
      `${name}: next build as the docs wire it`,
      main.ok,
      main.ok ? '' : main.output.slice(-4000),
    );
    if (main.ok) {
      for (const [store, env] of stores) {
        await check(
          `${name} (${store}): sign-in → list → revoke → revoked device signed out`,
          async () => {
            const server = await startNext(dir, '.next', env);
            try {
              await scenario(playwright, server.baseURL, authBase);
            } catch (error) {
              throw new Error(`${error.message}\nserver output:\n${server.output().slice(-3000)}`);
            } finally {
              await server.stop();
            }
          },
        );
      }
    }
    if (name !== 'v5') continue;

    // Middleware left on the Edge runtime (the Next.js 15 default) with the
    // Node.js config: sessionkit must refuse with one clear error, not sign
    // everyone out quietly.
    const naive = build(dir, 'v5 edge middleware, Node.js config', '.next-edge-naive', {
      'middleware.ts': 'variants/middleware.edge-naive.ts',
      'lib/sessions.ts': 'variants/sessions.memory.ts',
    });
    await check(
      'v5 Edge middleware importing the Node.js config fails with one clear EDGE_RUNTIME error',
      async () => {
        if (!naive.ok) throw new Error(`build failed:\n${naive.output.slice(-3000)}`);
        const server = await startNext(dir, '.next-edge-naive');
        try {
          const response = await fetch(`${server.probeURL}/`, { redirect: 'manual' });
          await new Promise((r) => setTimeout(r, 300));
          const output = server.output();
          if (response.status !== 500)
            throw new Error(`GET / answered ${response.status}, expected 500`);
          if (!/EDGE_RUNTIME|ran on the Edge runtime/.test(output)) {
            throw new Error(`no EdgeRuntimeError in the server output:\n${output.slice(-3000)}`);
          }
          if (!output.includes("runtime: 'nodejs'"))
            throw new Error('the error does not name the fix');
        } finally {
          await server.stop();
        }
      },
    );

    // The split config: Edge middleware through @sessionkit/next-auth/edge,
    // pages on Node.js check the store.
    const split = build(dir, 'v5 edge middleware, split config', '.next-edge-split', {
      'middleware.ts': 'variants/middleware.edge-split.ts',
    });
    await check(
      'v5 Edge middleware with the split config: builds without Node.js modules in middleware',
      async () => {
        if (!split.ok) throw new Error(`build failed:\n${split.output.slice(-3000)}`);
        // next-auth's own jose warns about CompressionStream; nothing of sessionkit may.
        if (/@sessionkit\/(core|redis|mongo)/.test(split.output)) {
          throw new Error(
            `sessionkit Node.js code in the Edge bundle:\n${split.output.slice(-3000)}`,
          );
        }
      },
    );
    if (split.ok) {
      await check(
        'v5 Edge middleware with the split config (memory): revoked device signed out by the page',
        async () => {
          const server = await startNext(dir, '.next-edge-split');
          try {
            await scenario(playwright, server.baseURL, authBase);
          } catch (error) {
            throw new Error(`${error.message}\nserver output:\n${server.output().slice(-3000)}`);
          } finally {
            await server.stop();
          }
        },
      );
    }
  }
} catch (error) {
  record('drop-in run', false, String(error?.stack ?? error));
}
finish();
