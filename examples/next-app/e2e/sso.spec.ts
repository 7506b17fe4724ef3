import { expect, type Page, test } from '@playwright/test';
import { BOB, LAPTOP, nextAuthSession } from './fixtures';

// "Sign in with SSO" through the demo's local OpenID provider
// (scripts/sso-provider.mjs, oidc-provider), then signing out AT THE PROVIDER:
// it POSTs a back-channel Logout Token to the app, and the app page is signed
// out on its next load (docs/sso.md).
const ssoIssuer = `http://127.0.0.1:${process.env.E2E_SSO_PORT ?? 3102}`;

async function signInWithSso(page: Page, email: string) {
  await page.goto('/login');
  await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  // oidc-provider's development login form, then its consent form.
  await expect(page).toHaveURL(new RegExp(`^${ssoIssuer}/interaction/`));
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/$/);
}

test('sign in through SSO, sign out at the provider: the app page is signed out', async ({
  browser,
}) => {
  // Two origins, a consent step and a cold provider: more than the 60 s default on a busy machine.
  test.setTimeout(120_000);
  const context = await browser.newContext({
    userAgent: LAPTOP.userAgent,
    extraHTTPHeaders: { 'X-Forwarded-For': LAPTOP.ip },
  });
  const page = await context.newPage();
  await signInWithSso(page, BOB.email);
  await expect(page.getByTestId('signed-in-as')).toHaveText(BOB.name);
  expect(await nextAuthSession(page)).toHaveProperty('sessionId');

  // At the provider: sign out (RP-independent logout at the OP).
  await page.goto(`${ssoIssuer}/session/end`);
  await page.getByRole('button', { name: /yes, sign me out/i }).click();
  await expect(page).toHaveURL(new RegExp(`^${ssoIssuer}/session/end/success`));

  // Back in the app: the session ended by the back-channel logout; the next load signs out.
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/login/);
  expect(await nextAuthSession(page)).toEqual({});
  await context.close();
});
