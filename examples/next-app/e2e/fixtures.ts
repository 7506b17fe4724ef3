import { type Browser, type BrowserContext, expect, type Page } from '@playwright/test';

/** The expiry spec's server: sessions last 20 s and the banner warns 10 s before the end. */
export const EXPIRY_TEST = { maxAgeSeconds: 20, warnBeforeSeconds: 10 } as const;

/**
 * The policies server (limit.spec.ts, challenge.spec.ts): two live sessions per
 * user, the user chooses at the limit, and a risky sign-in is challenged.
 */
export const LIMIT_TEST = { maxSessions: 2 } as const;

export interface DemoAccount {
  email: string;
  password: string;
  name: string;
}

export const ALICE: DemoAccount = {
  email: 'alice@example.com',
  password: 'alice-demo',
  name: 'Alice Moreau',
};
export const BOB: DemoAccount = {
  email: 'bob@example.com',
  password: 'bob-demo',
  name: 'Bob Okafor',
};

/** Signs in only in challenge.spec.ts, so her sign-in history is that test's alone. */
export const CAROL: DemoAccount = {
  email: 'carol@example.com',
  password: 'carol-demo',
  name: 'Carol Lindqvist',
};

export interface Device {
  /** The name `<SessionManagement />` shows for this user agent. */
  name: string;
  userAgent: string;
  /**
   * Sent as X-Forwarded-For, as a reverse proxy in front of the app would: the
   * app trusts one hop, so this is the address it records (and geo-locates).
   */
  ip: string;
  /** What geoip-lite's bundled database says about `ip`. */
  city: string;
}

export const LAPTOP: Device = {
  name: 'Chrome on Mac OS',
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  ip: '81.2.69.142',
  city: 'St Albans',
};

export const PHONE: Device = {
  name: 'Mobile Safari on iOS',
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  ip: '216.160.83.56',
  city: 'Poulsbo',
};

export const WORK_PC: Device = {
  name: 'Firefox on Windows',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  ip: '89.160.20.112',
  city: 'Sweden',
};

/** Only the not-me test signs in from it, so its first sign-in is always a new device. */
export const TABLET: Device = {
  name: 'Chrome on Android',
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  ip: '89.160.20.112',
  city: 'Sweden',
};

/** The demo's simulated authenticator code (lib/step-up.ts). */
export const TOTP_CODE = '246810';

export interface SignedInDevice {
  context: BrowserContext;
  page: Page;
  device: Device;
}

/** A fresh, isolated browser context (its own cookies) signed in through the login form. */
export async function signIn(
  browser: Browser,
  account: DemoAccount,
  device: Device,
): Promise<SignedInDevice> {
  const context = await browser.newContext({
    userAgent: device.userAgent,
    extraHTTPHeaders: { 'X-Forwarded-For': device.ip },
  });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(account.name);
  return { context, page, device };
}

/** The list of `<SessionManagement />` on the settings page, once loaded. */
export async function openDevices(page: Page) {
  await page.goto('/settings/sessions');
  const region = page.getByRole('region', { name: 'Where you’re signed in' });
  await expect(region).toHaveAttribute('data-state', 'ready');
  return { region, items: region.getByRole('listitem') };
}

/** Passes the step-up check on /settings/verify (needed before signing out all other devices). */
export async function verifyStepUp(page: Page): Promise<void> {
  await page.goto('/settings/verify');
  await page.getByLabel('Authenticator code').fill(TOTP_CODE);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/sessions$/);
}

/** Ends every session of the account, so each test starts from none. */
export async function signOutEverywhere(browser: Browser, account: DemoAccount): Promise<void> {
  const { context, page } = await signIn(browser, account, LAPTOP);
  await verifyStepUp(page);
  const revoked = await page.request.delete('/api/sessions?revokeAll=true');
  expect(revoked.status()).toBe(200);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await context.close();
}

/** What next-auth's own endpoint says about this context's cookie. */
export async function nextAuthSession(page: Page): Promise<Record<string, unknown>> {
  const response = await page.request.get('/api/auth/session');
  expect(response.ok()).toBe(true);
  return (await response.json()) as Record<string, unknown>;
}
