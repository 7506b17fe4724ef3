import { expect, test } from '@playwright/test';
import { BOB, LAPTOP, LIMIT_TEST, PHONE, signIn, WORK_PC } from './fixtures';

// Runs against the server with SESSIONKIT_MAX_SESSIONS=2 and limitPolicy 'ask'
// (playwright.config.ts): the third device is sent to the picker.
test('at the limit the third device chooses a session to sign out and is signed in; the ended device is signed out', async ({
  browser,
}) => {
  expect(LIMIT_TEST.maxSessions).toBe(2);
  const laptop = await signIn(browser, BOB, LAPTOP);
  const phone = await signIn(browser, BOB, PHONE);

  const context = await browser.newContext({
    userAgent: WORK_PC.userAgent,
    extraHTTPHeaders: { 'X-Forwarded-For': WORK_PC.ip },
  });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(BOB.email);
  await page.getByLabel('Password').fill(BOB.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  // Held, not signed in: the picker lists the two live sessions.
  await expect(page).toHaveURL(/\/login\/choose-session\?pending=[A-Za-z0-9_-]{71}$/);
  const pickerUrl = new URL(page.url());
  const picker = page.getByRole('region', { name: 'Too many devices signed in' });
  await expect(picker.getByRole('listitem')).toHaveCount(2);
  await expect(picker).toContainText(LAPTOP.name);
  await expect(picker).toContainText(PHONE.name);
  const held = await page.request.get('/api/auth/session');
  expect(await held.json()).toEqual({});

  await picker.getByRole('button', { name: `Sign out ${LAPTOP.name} and continue here` }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(BOB.name);

  // The chosen device is signed out on its next navigation; the other stays.
  await laptop.page.goto('/settings/sessions');
  await expect(laptop.page).toHaveURL(/\/login/);
  await phone.page.goto('/');
  await expect(phone.page.getByTestId('signed-in-as')).toHaveText(BOB.name);

  // The picker URL is single use.
  const again = await page.request.get(`/api/sessions/limit${pickerUrl.search}`);
  expect(again.status()).toBe(404);

  await Promise.all([laptop.context.close(), phone.context.close(), context.close()]);
});
