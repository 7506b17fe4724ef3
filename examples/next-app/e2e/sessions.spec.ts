import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import {
  ALICE,
  BOB,
  LAPTOP,
  nextAuthSession,
  openDevices,
  PHONE,
  signIn,
  signOutEverywhere,
  WORK_PC,
} from './fixtures';

const STORE = process.env.E2E_STORE ?? 'memory';

test.beforeEach(async ({ browser }) => {
  await signOutEverywhere(browser, ALICE);
});

test('both devices are listed, "This device" marks the right one, and a revoked device is signed out on its next navigation', async ({
  browser,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const phone = await signIn(browser, ALICE, PHONE);
  await expect(laptop.page.getByTestId('store-kind')).toHaveText(STORE);

  // What the browser gets: sessionkit's fields and the app's own (role), never a token.
  const session = await nextAuthSession(laptop.page);
  expect(session).toMatchObject({
    user: { id: 'user_alice', email: ALICE.email, role: 'Sales lead' },
    sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{28}$/),
    expiresAt: expect.any(String),
  });
  expect(Object.keys(session).sort()).toEqual(['expires', 'expiresAt', 'sessionId', 'user']);

  // Each device sees both sessions, with the badge on its own.
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
    await expect(own).toContainText(viewer.device.city);
    const theirs = items.filter({ hasText: other.device.name });
    await expect(theirs).not.toContainText('This device');
    await expect(theirs).toContainText(other.device.ip);
  }

  // The laptop revokes the phone, after confirming.
  const { region, items } = await openDevices(laptop.page);
  const phoneItem = items.filter({ hasText: PHONE.name });
  await phoneItem.getByRole('button', { name: `Sign out ${PHONE.name}` }).click();
  await phoneItem.getByRole('button', { name: 'Yes, sign out' }).click();
  await expect(items).toHaveCount(1);
  await expect(region.getByRole('status')).toHaveText(`Signed out ${PHONE.name}.`);

  // The phone still shows the page it had; its next navigation lands on the login page.
  await phone.page.getByRole('link', { name: 'Contacts' }).click();
  await expect(phone.page).toHaveURL(/\/login\?callbackUrl=%2Fcontacts/);
  await expect(phone.page.getByTestId('session-ended')).toBeVisible();
  expect(await nextAuthSession(phone.page)).toEqual({});
  await phone.page.goto('/');
  await expect(phone.page).toHaveURL(/\/login/);

  // The laptop is unaffected, and its security log records the revocation.
  await laptop.page.getByRole('link', { name: 'Security log' }).click();
  await expect(laptop.page).toHaveURL(/\/settings\/activity$/);
  const latest = laptop.page.getByTestId('history').getByRole('row').nth(1);
  await expect(latest).toContainText(PHONE.name);
  await expect(latest).toContainText('Revoked');

  await laptop.context.close();
  await phone.context.close();
});

test('"Sign out all other devices" from a third device signs out the other two', async ({
  browser,
}, testInfo) => {
  const phone = await signIn(browser, ALICE, PHONE);
  const workPc = await signIn(browser, ALICE, WORK_PC);
  const laptop = await signIn(browser, ALICE, LAPTOP);
  // Another user's session must survive Alice's revoke-all.
  const bob = await signIn(browser, BOB, PHONE);

  const { region, items } = await openDevices(laptop.page);
  await expect(items).toHaveCount(3);
  await expect(items.first()).toContainText('This device');
  await expect(items.first()).toContainText(LAPTOP.name);

  // The README's screenshot: three devices, this one first.
  await laptop.page.setViewportSize({ width: 1100, height: 560 });
  await laptop.page.mouse.move(0, 0);
  const screenshot = await laptop.page.screenshot({ fullPage: true });
  await testInfo.attach('session-management', { body: screenshot, contentType: 'image/png' });
  // scripts/e2e.mjs --update-screenshot copies it to docs/images/.
  await writeFile(join(testInfo.project.outputDir, 'session-management.png'), screenshot);

  await region.getByRole('button', { name: 'Sign out all other devices' }).click();
  await region.getByRole('button', { name: 'Yes, sign out all' }).click();
  await expect(items).toHaveCount(1);
  await expect(region.getByRole('status')).toHaveText('Signed out 2 other devices.');

  for (const other of [phone, workPc]) {
    await other.page.getByRole('link', { name: 'Deals' }).click();
    await expect(other.page).toHaveURL(/\/login/);
    expect(await nextAuthSession(other.page)).toEqual({});
  }

  // The device that revoked the others is still signed in, and so is Bob.
  await laptop.page.getByRole('link', { name: 'Deals' }).click();
  await expect(laptop.page).toHaveURL(/\/deals$/);
  await bob.page.getByRole('link', { name: 'Deals' }).click();
  await expect(bob.page).toHaveURL(/\/deals$/);
  expect(await nextAuthSession(bob.page)).toMatchObject({ user: { email: BOB.email } });

  for (const device of [phone, workPc, laptop, bob]) await device.context.close();
});

test('signing out on one device marks that session logged out in the other device’s view', async ({
  browser,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const phone = await signIn(browser, ALICE, PHONE);

  const { items } = await openDevices(laptop.page);
  await expect(items).toHaveCount(2);

  await phone.page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(phone.page).toHaveURL(/\/login/);
  expect(await nextAuthSession(phone.page)).toEqual({});

  // The laptop's list refetches when its window regains focus: the phone is gone.
  await laptop.page.bringToFront();
  await laptop.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(items).toHaveCount(1);
  await expect(items).toContainText('This device');
  await expect(items.filter({ hasText: PHONE.name })).toHaveCount(0);

  // sessionkit kept the phone's session as LOGGED_OUT (not revoked) in the history.
  await laptop.page.getByRole('link', { name: 'Security log' }).click();
  const latest = laptop.page.getByTestId('history').getByRole('row').nth(1);
  await expect(latest).toContainText(PHONE.name);
  await expect(latest).toContainText('Signed out');

  await laptop.context.close();
  await phone.context.close();
});

// Known gap, enabled once @sessionkit/react handles it: the page reacts to 401
// from /api/sessions with next-auth's update(), and next-auth v4 ignores the
// empty session that returns (next-auth/react: `if (newSession) setSession(...)`),
// so the tab keeps showing the user as signed in until its next navigation
// (which does land on the login page: see the first test).
test.fixme('a revoked device showing its device list learns it was signed out when its window regains focus', async ({
  browser,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const phone = await signIn(browser, ALICE, PHONE);
  await openDevices(phone.page);

  const { items } = await openDevices(laptop.page);
  const phoneItem = items.filter({ hasText: PHONE.name });
  await phoneItem.getByRole('button', { name: `Sign out ${PHONE.name}` }).click();
  await phoneItem.getByRole('button', { name: 'Yes, sign out' }).click();
  await expect(items).toHaveCount(1);

  await phone.page.bringToFront();
  await phone.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(phone.page.getByTestId('signed-in-as')).toBeHidden();

  await laptop.context.close();
  await phone.context.close();
});
