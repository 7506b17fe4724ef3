import { expect, test } from '@playwright/test';
import { BOB, EXPIRY_TEST, LAPTOP, nextAuthSession, signIn } from './fixtures';

// This project's server runs with SESSION_MAX_AGE_SECONDS=20 and
// SESSION_WARN_BEFORE_SECONDS=10 (see playwright.config.ts).
test('the header banner warns shortly before the session ends, and the session then ends', async ({
  browser,
}) => {
  test.setTimeout((EXPIRY_TEST.maxAgeSeconds + 30) * 1000);
  const laptop = await signIn(browser, BOB, LAPTOP);
  const { expiresAt } = (await nextAuthSession(laptop.page)) as { expiresAt: string };
  const end = Date.parse(expiresAt);
  const warnAt = end - EXPIRY_TEST.warnBeforeSeconds * 1000;
  // Still well before the warning, so "hidden" below means something.
  expect(warnAt - Date.now()).toBeGreaterThan(2000);

  const banner = laptop.page.getByTestId('expiry-banner');
  await expect(banner).toBeHidden();
  await expect(banner).toBeVisible({ timeout: EXPIRY_TEST.maxAgeSeconds * 1000 });
  // Not early: the warning starts warnBefore ahead of expiresAt (1 s slack for rendering).
  expect(Date.now()).toBeGreaterThanOrEqual(warnAt - 1000);
  await expect(banner).toContainText('Your session ends in');
  await expect(banner.getByRole('alert')).toContainText('Your session ends at');

  // The countdown reaches zero; the next navigation finds the session over.
  await expect(banner).toContainText('Your session has ended', {
    timeout: EXPIRY_TEST.warnBeforeSeconds * 1000 + 5000,
  });
  await laptop.page.getByRole('link', { name: 'Contacts' }).click();
  await expect(laptop.page).toHaveURL(/\/login/);
  expect(await nextAuthSession(laptop.page)).toEqual({});
  await laptop.context.close();
});
