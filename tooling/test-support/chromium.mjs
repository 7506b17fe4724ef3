// Debian's chromium for the browser tests: Playwright downloads no browser of
// its own here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1). CHROMIUM_PATH overrides it.
import { existsSync } from 'node:fs';

const DEFAULT_PATH = '/usr/bin/chromium';

// Headless on a machine with no GPU, no sandbox (root in CI) and no traffic
// off the machine: no QUIC, no update or sync pings.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Playwright `launchOptions` for Debian's chromium.
 * @type {typeof import('./index.d.mts').chromiumLaunchOptions}
 */
export function chromiumLaunchOptions() {
  return { executablePath: process.env.CHROMIUM_PATH ?? DEFAULT_PATH, args: [...ARGS] };
}

/**
 * The chromium binary's path; throws with the fix when it is missing.
 * @type {typeof import('./index.d.mts').requireChromium}
 */
export function requireChromium() {
  const path = process.env.CHROMIUM_PATH ?? DEFAULT_PATH;
  if (!existsSync(path)) {
    throw new Error(
      `no chromium at ${path}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  return path;
}
