import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '@sessionkit-internal/test-support';

// Run through `pnpm test:e2e` (scripts/e2e.mjs): it builds the app, starts
// `next start` on a free port with a fresh AUTH_SECRET and sets E2E_BASE_URL.
const baseURL = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3200';

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/output',
  // One server, in-memory store: tests run in order, each with its own user.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  // The JSON report lets scripts/e2e.mjs total the results.
  reporter: [['list'], ['json', { outputFile: './test-results/report.json' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    // Debian's chromium; Playwright downloads no browser of its own here.
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
