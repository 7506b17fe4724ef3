import {
  type Browser,
  type BrowserContext,
  type Cookie,
  expect,
  type Page,
  request,
} from '@playwright/test';

export interface DemoAccount {
  id: string;
  email: string;
  password: string;
  name: string;
}

export const ALICE: DemoAccount = {
  id: 'user_alice',
  email: 'alice@example.com',
  password: 'alice-demo',
  name: 'Alice Moreau',
};
export const BOB: DemoAccount = {
  id: 'user_bob',
  email: 'bob@example.com',
  password: 'bob-demo',
  name: 'Bob Okafor',
};

export interface Device {
  /** The name `<SessionManagement />` shows for this user agent. */
  name: string;
  userAgent: string;
  /** Sent as X-Forwarded-For, as one reverse proxy would; the e2e server trusts one hop (SESSIONKIT_TRUST_PROXY=1). */
  ip: string;
}

export const LAPTOP: Device = {
  name: 'Chrome on Mac OS',
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  ip: '81.2.69.142',
};

export const PHONE: Device = {
  name: 'Mobile Safari on iOS',
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  ip: '216.160.83.56',
};

/** next-auth v5's session cookie over http (it may be split into `.0`, `.1`, … chunks). */
export const SESSION_COOKIE = 'authjs.session-token';

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

/** What next-auth's own endpoint answers for this context's cookie (v5: null when signed out). */
export async function nextAuthSession(page: Page): Promise<Record<string, unknown> | null> {
  const response = await page.request.get('/api/auth/session');
  expect(response.ok()).toBe(true);
  return (await response.json()) as Record<string, unknown> | null;
}

export async function sessionCookies(context: BrowserContext): Promise<Cookie[]> {
  return (await context.cookies()).filter((c) => c.name.startsWith(SESSION_COOKIE));
}

/**
 * Presents saved session cookies from outside the browser (a stolen copy):
 * returns what /api/auth/session answers and the Set-Cookie lines it sends.
 */
export async function replayCookies(baseURL: string, cookies: Cookie[]) {
  const api = await request.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
  });
  try {
    const response = await api.get('/api/auth/session');
    expect(response.ok()).toBe(true);
    const setCookies = response
      .headersArray()
      .filter((h) => h.name.toLowerCase() === 'set-cookie')
      .map((h) => h.value);
    return { body: (await response.json()) as unknown, setCookies };
  } finally {
    await api.dispose();
  }
}
