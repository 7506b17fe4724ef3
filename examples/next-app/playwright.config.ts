import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '@sessionkit-internal/test-support';
import { EXPIRY_TEST, LIMIT_TEST } from './e2e/fixtures';

// Run through `pnpm test:e2e` (scripts/e2e.mjs): it builds, picks free ports,
// starts a throwaway redis-server for the Redis pass and sets the variables
// below. Running `playwright test` directly uses the fallbacks (memory store).
const port = Number(process.env.E2E_PORT ?? 3100);
const expiryPort = Number(process.env.E2E_EXPIRY_PORT ?? 3101);
const limitPort = Number(process.env.E2E_LIMIT_PORT ?? 3102);
const store = process.env.E2E_STORE ?? 'memory';
// The local OpenID provider behind "Sign in with SSO" (scripts/sso-provider.mjs).
const ssoPort = Number(process.env.E2E_SSO_PORT ?? 3103);
const ssoIssuer = `http://127.0.0.1:${ssoPort}`;

function server(serverPort: number, extraEnv: Record<string, string>) {
  const url = `http://127.0.0.1:${serverPort}`;
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    NEXTAUTH_URL: url,
    // A fixed secret for the tests only; the demo script generates a random one.
    NEXTAUTH_SECRET: 'e2e-only-secret-not-for-production-0123456789',
    // The tests play the reverse proxy: each device's IP arrives as X-Forwarded-For.
    SESSIONKIT_TRUST_PROXY: '1',
    ...extraEnv,
  };
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  if (process.env.MONGODB_URI) env.MONGODB_URI = process.env.MONGODB_URI;
  if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
  return {
    command: `pnpm exec next start --hostname 127.0.0.1 --port ${serverPort}`,
    url: `${url}/login`,
    env,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
  };
}

export default defineConfig({
  testDir: './e2e',
  outputDir: `./test-results/${store}`,
  // Tests inside a file run in order (they share the demo users); the two
  // files, each against its own server, run side by side.
  fullyParallel: false,
  workers: 2,
  retries: 0,
  // A test drives two or three browsers through several sign-ins against three
  // servers on a 2-core machine: 20–40 s when quiet, so the bound leaves room.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  // The JSON report lets scripts/e2e.mjs total the passes.
  reporter: [['list'], ['json', { outputFile: `./test-results/${store}-report.json` }]],
  use: {
    browserName: 'chromium',
    headless: true,
    // Debian's chromium; Playwright downloads no browser of its own here.
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1200, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: `${store}`,
      testIgnore: /(expiry|limit|challenge)\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${port}` },
    },
    {
      name: `${store}-short-expiry`,
      testMatch: /expiry\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${expiryPort}` },
    },
    {
      name: `${store}-policies`,
      testMatch: /(limit|challenge)\.spec\.ts/,
      use: { baseURL: `http://127.0.0.1:${limitPort}` },
    },
  ],
  webServer: [
    server(port, { SSO_ISSUER: ssoIssuer }),
    {
      command: 'node scripts/sso-provider.mjs',
      url: `${ssoIssuer}/.well-known/openid-configuration`,
      env: { APP_URL: `http://127.0.0.1:${port}`, SSO_PORT: String(ssoPort) },
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
    },
    server(expiryPort, {
      SESSION_MAX_AGE_SECONDS: String(EXPIRY_TEST.maxAgeSeconds),
      SESSION_WARN_BEFORE_SECONDS: String(EXPIRY_TEST.warnBeforeSeconds),
    }),
    // Two sessions per user, 'ask' at the limit, a risky sign-in challenged; its
    // own key prefix on Redis and table prefix on PostgreSQL (one database serves
    // every server of the pass) so the other servers' sign-ins never count against it.
    server(limitPort, {
      SESSIONKIT_MAX_SESSIONS: String(LIMIT_TEST.maxSessions),
      SESSIONKIT_LIMIT_POLICY: 'ask',
      SESSIONKIT_SUSPICIOUS_POLICY: 'challenge',
      REDIS_PREFIX: 'sk-limit:',
      POSTGRES_TABLE_PREFIX: 'sk_limit_',
    }),
  ],
});
