import { expect, test } from '@playwright/test';
import {
  ALICE,
  BOB,
  LAPTOP,
  nextAuthSession,
  openDevices,
  PHONE,
  replayCookies,
  SESSION_COOKIE,
  sessionCookies,
  signIn,
} from './fixtures';

// Each test signs in its own user: the in-memory store lives as long as the server.

test('auth() and the v5 handlers track both devices; a revoked device is signed out on its next navigation and its cookie cleared', async ({
  browser,
  baseURL,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const phone = await signIn(browser, ALICE, PHONE);

  // What the browser sees: sessionkit's fields, never a token.
  const session = await nextAuthSession(laptop.page);
  expect(session).toMatchObject({
    user: { id: ALICE.id, email: ALICE.email, name: ALICE.name },
    sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{28}$/),
    expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
  expect(Object.keys(session ?? {}).sort()).toEqual(['expires', 'expiresAt', 'sessionId', 'user']);
  const raw = JSON.stringify(session);
  expect(raw).not.toMatch(/token/i);
  expect(raw).not.toMatch(/[A-Za-z0-9_-]{71}/); // a sessionkit token is 71 base64url chars
  // The server component's auth() sees the same session.
  await expect(laptop.page.getByTestId('session-id')).toHaveText(String(session?.sessionId));

  // Both devices listed on each, "This device" on its own. The user agent and IP
  // were read at sign-in through the default getHeaders (next/headers).
  for (const [viewer, other] of [
    [laptop, phone],
    [phone, laptop],
  ] as const) {
    const { items } = await openDevices(viewer.page);
    await expect(items).toHaveCount(2);
    const own = items.filter({ hasText: 'This device' });
    await expect(own).toHaveCount(1);
    await expect(own).toContainText(viewer.device.name);
    await expect(own).toContainText(viewer.device.ip);
    const theirs = items.filter({ hasText: other.device.name });
    await expect(theirs).not.toContainText('This device');
    await expect(theirs).toContainText(other.device.ip);
  }

  // A copy of the phone's cookie, taken while it is still live.
  const phoneCookies = await sessionCookies(phone.context);
  expect(phoneCookies.length).toBeGreaterThan(0);

  // The laptop revokes the phone, after confirming.
  const { region, items } = await openDevices(laptop.page);
  const phoneItem = items.filter({ hasText: PHONE.name });
  await phoneItem.getByRole('button', { name: `Sign out ${PHONE.name}` }).click();
  await phoneItem.getByRole('button', { name: 'Yes, sign out' }).click();
  await expect(items).toHaveCount(1);
  await expect(region.getByRole('status')).toHaveText(`Signed out ${PHONE.name}.`);

  // The copied cookie no longer works anywhere, and the v5 session route clears it.
  const replay = await replayCookies(String(baseURL), phoneCookies);
  expect(replay.body).toBeNull();
  const cleared = replay.setCookies.filter((c) => c.startsWith(SESSION_COOKIE));
  expect(cleared.length).toBeGreaterThan(0);
  for (const line of cleared) expect(line).toMatch(/=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i);

  // The phone's next navigation to the protected page lands on the login page.
  await phone.page.goto('/');
  await expect(phone.page).toHaveURL(/\/login$/);
  expect(await nextAuthSession(phone.page)).toBeNull();
  expect(await sessionCookies(phone.context)).toEqual([]);

  // The laptop is unaffected.
  await laptop.page.goto('/');
  await expect(laptop.page).toHaveURL(/\/$/);
  await expect(laptop.page.getByTestId('session-id')).toHaveText(String(session?.sessionId));

  await laptop.context.close();
  await phone.context.close();
});

test('signing out on one device ends that session: it drops out of the other device’s list', async ({
  browser,
  baseURL,
}) => {
  const laptop = await signIn(browser, BOB, LAPTOP);
  const phone = await signIn(browser, BOB, PHONE);
  const phoneCookies = await sessionCookies(phone.context);

  const { items } = await openDevices(laptop.page);
  await expect(items).toHaveCount(2);

  await phone.page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(phone.page).toHaveURL(/\/login$/);
  expect(await nextAuthSession(phone.page)).toBeNull();
  expect(await sessionCookies(phone.context)).toEqual([]);
  // Sign-out ended the session in the store (LOGGED_OUT), not just the cookie:
  // a saved copy of the cookie is refused.
  expect((await replayCookies(String(baseURL), phoneCookies)).body).toBeNull();

  // The laptop's list refetches when its window regains focus: the phone is gone.
  await laptop.page.bringToFront();
  await laptop.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(items).toHaveCount(1);
  await expect(items).toContainText('This device');
  await expect(items.filter({ hasText: PHONE.name })).toHaveCount(0);

  await laptop.context.close();
  await phone.context.close();
});

test('a device signed out from another one is told why on its login page, once, and its session cookie is gone', async ({
  browser,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const phone = await signIn(browser, ALICE, PHONE);
  const phoneSession = await nextAuthSession(phone.page);

  // The laptop signs the phone out (the devices API its list uses).
  const revoked = await laptop.page.request.delete(
    `/api/sessions?sessionId=${encodeURIComponent(String(phoneSession?.sessionId))}`,
  );
  expect(revoked.status()).toBe(200);

  // The phone's next navigation lands on the login page, which says why…
  const cleared = phone.page.waitForResponse(
    (r) => r.url().includes('/api/sessions/end-reason') && r.request().method() === 'DELETE',
  );
  await phone.page.goto('/');
  await expect(phone.page).toHaveURL(/\/login$/);
  await expect(phone.page.getByText('You were signed out from another device.')).toBeVisible();
  // …while next-auth's session cookie is removed, not left behind emptied.
  await expect.poll(() => sessionCookies(phone.context)).toEqual([]);
  // The reason rides in an HttpOnly cookie: the page's scripts cannot read it.
  expect(await phone.page.evaluate(() => document.cookie)).not.toContain('end-reason');

  // Shown once: cleared after it was read, so a reload says nothing.
  expect((await cleared).ok()).toBe(true);
  await phone.page.reload();
  await expect(phone.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(phone.page.getByText('You were signed out from another device.')).toHaveCount(0);

  // The laptop, still signed in, is told nothing on its pages.
  await laptop.page.goto('/');
  await expect(laptop.page.getByTestId('signed-in-as')).toHaveText(ALICE.name);

  await laptop.context.close();
  await phone.context.close();
});
