import { expect, test } from '@playwright/test';
import { ALICE, LAPTOP, signIn, TOTP_CODE } from './fixtures';

// ?callbackUrl= on /login and ?next= on /settings/verify must never send the
// browser to another origin. Chromium drops tabs and newlines from URLs and
// reads `\` as `/`, so `/\t/evil.example` arrives as `//evil.example`.
const TRICKS = [
  '/%09/evil.example',
  '/%0A/evil.example',
  '/%0D%0A/evil.example',
  '/%5Cevil.example',
  '/.//evil.example',
];

test.beforeEach(async ({ context }) => {
  // Never leave the machine: a request to the would-be target fails fast.
  await context.route(/evil\.example/, (route) => route.abort());
});

test('/login?callbackUrl= keeps a signed-in user on this origin', async ({ browser, baseURL }) => {
  const { context, page } = await signIn(browser, ALICE, LAPTOP);
  await context.route(/evil\.example/, (route) => route.abort());
  const origin = new URL(baseURL!).origin;
  for (const trick of TRICKS) {
    await page.goto(`/login?callbackUrl=${trick}`).catch(() => {});
    expect(new URL(page.url()).origin, trick).toBe(origin);
  }
  await context.close();
});

test('/settings/verify?next= returns to this origin after the step-up', async ({
  browser,
  baseURL,
}) => {
  const { context, page } = await signIn(browser, ALICE, LAPTOP);
  await context.route(/evil\.example/, (route) => route.abort());
  const origin = new URL(baseURL!).origin;
  for (const trick of TRICKS) {
    await page.goto(`/settings/verify?next=${trick}`);
    await page.getByLabel('Authenticator code').fill(TOTP_CODE);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect(page).toHaveURL(/\/settings\/sessions$/);
    expect(new URL(page.url()).origin, trick).toBe(origin);
  }
  await context.close();
});
