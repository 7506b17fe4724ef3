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
  TABLET,
  TOTP_CODE,
  verifyStepUp,
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

  // The laptop revokes the phone, after a step-up check and confirming.
  await verifyStepUp(laptop.page);
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

  // Signing out everything else needs a fresh two-factor check (ASVS 5.0
  // 7.5.2): the first try is refused and nothing is signed out.
  await region.getByRole('button', { name: 'Sign out all other devices' }).click();
  await region.getByRole('button', { name: 'Yes, sign out all' }).click();
  await expect(region.getByRole('alert')).toContainText('needs a recent verification');
  await expect(items).toHaveCount(3);
  const check = laptop.page.getByRole('form', { name: 'Two-factor check' });
  await check.getByLabel('Authenticator code').fill('000000');
  await check.getByRole('button', { name: 'Verify and sign out' }).click();
  await expect(check.getByRole('alert')).toHaveText('That code is not right. Try again.');
  await expect(items).toHaveCount(3);

  // With the right code the refused action is repeated, and now succeeds.
  await check.getByLabel('Authenticator code').fill(TOTP_CODE);
  await check.getByRole('button', { name: 'Verify and sign out' }).click();
  await expect(items).toHaveCount(1);
  await expect(region.getByRole('status')).toHaveText('Signed out 2 other devices.');
  await expect(region.getByRole('alert')).toHaveCount(0);

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

// The revoked tab learns it from a 401 of /api/sessions. next-auth's update()
// would not clear its client state (v4 and v5 keep the old session when the
// answer is empty), so @sessionkit/react signs the tab out without a redirect.
test('a revoked device showing its device list learns it was signed out when its window regains focus', async ({
  browser,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const phone = await signIn(browser, ALICE, PHONE);
  await openDevices(phone.page);

  await verifyStepUp(laptop.page);
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

test('the "This wasn’t me" link of the new-device email revokes that session, only after a confirm click', async ({
  browser,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const tablet = await signIn(browser, ALICE, TABLET);

  // The dev outbox holds the email about the tablet, with its one-click link.
  await laptop.page.getByRole('link', { name: 'Notifications' }).click();
  const mail = laptop.page
    .getByTestId('outbox')
    .getByRole('listitem')
    .filter({ hasText: TABLET.name })
    .first();
  await expect(mail).toContainText(`New sign-in to Pipeline CRM from ${TABLET.name}`);
  await expect(mail).toContainText('a device we have not seen before');
  const link = await mail.getByRole('link', { name: 'This wasn’t me' }).getAttribute('href');
  expect(link).toMatch(/\/not-me\?token=/);

  // Opened from the mailbox, in a browser that is not signed in. Opening it
  // (as a mail scanner would) changes nothing.
  const mailbox = await browser.newContext();
  const page = await mailbox.newPage();
  await page.goto(link!);
  await expect(page.getByTestId('not-me-session')).toContainText(TABLET.name);
  // The link holder is not authenticated: no IP address, city or exact time (issue 20).
  await expect(page.getByTestId('not-me-session')).toContainText('Sweden');
  await expect(page.getByTestId('not-me-session')).not.toContainText(TABLET.ip);
  const { items } = await openDevices(laptop.page);
  await expect(items).toHaveCount(2);

  await page.getByRole('button', { name: 'Sign out that device' }).click();
  await expect(page.getByTestId('not-me-result')).toContainText('Done: that device is signed out');

  // The tablet is signed out on its next navigation; the laptop is not.
  await tablet.page.getByRole('link', { name: 'Contacts' }).click();
  await expect(tablet.page).toHaveURL(/\/login/);
  await openDevices(laptop.page);
  await expect(items).toHaveCount(1);

  // The tablet stays a known device (its sessions ended, the device did not)
  // until the user forgets it.
  const known = laptop.page.getByRole('region', { name: 'Devices you’ve used' });
  await expect(known.getByRole('listitem').filter({ hasText: TABLET.name })).toHaveCount(1);
  await known.getByRole('button', { name: `Forget ${TABLET.name}` }).click();
  await expect(known.getByRole('status')).toHaveText(`Forgot ${TABLET.name}.`);
  await expect(known.getByRole('listitem').filter({ hasText: TABLET.name })).toHaveCount(0);

  await laptop.page.getByRole('link', { name: 'Security log' }).click();
  const latest = laptop.page.getByTestId('history').getByRole('row').nth(1);
  await expect(latest).toContainText(TABLET.name);
  await expect(latest).toContainText('reported “not me”');

  // The link has done its job: opening it again says so.
  await page.goto(link!);
  await expect(page.getByTestId('not-me-result')).toContainText('already ended');

  // The device-id cookie (middleware.ts) names the browser: signing in again
  // from the same browser after signing out is a known device (no new-device
  // email), while a fresh browser with the same user agent is a new one.
  const newDeviceMails = laptop.page
    .getByTestId('outbox')
    .getByRole('listitem')
    .filter({ hasText: LAPTOP.name })
    .filter({ hasText: 'a device we have not seen before' });
  await laptop.page.goto('/settings/notifications');
  const before = await newDeviceMails.count();
  expect(before).toBeGreaterThan(0); // at least this test's laptop sign-in
  await laptop.page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(laptop.page).toHaveURL(/\/login/);
  await laptop.page.getByLabel('Email').fill(ALICE.email);
  await laptop.page.getByLabel('Password').fill(ALICE.password);
  await laptop.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(laptop.page.getByTestId('signed-in-as')).toHaveText(ALICE.name);
  const fresh = await signIn(browser, ALICE, LAPTOP);
  const freshSessionId = (await nextAuthSession(fresh.page)).sessionId as string;
  await laptop.page.goto('/settings/notifications');
  await expect(newDeviceMails).toHaveCount(before + 1);
  await expect(
    newDeviceMails.first().getByRole('link', { name: 'This wasn’t me' }),
  ).toHaveAttribute('href', new RegExp(`token=${freshSessionId}\\.`));

  for (const context of [laptop.context, tablet.context, mailbox, fresh.context]) {
    await context.close();
  }
});

// ?callbackUrl= on /login and ?next= on /settings/verify must never send the
// browser to another origin. Chromium drops tabs and newlines from URLs and
// reads `\` as `/`, so `/\t/evil.example` arrives as `//evil.example`. (In this
// file: the tests share the demo users and run in order.)
const REDIRECT_TRICKS = [
  '/%09/evil.example',
  '/%0A/evil.example',
  '/%0D%0A/evil.example',
  '/%5Cevil.example',
  '/.//evil.example',
];

test('/login?callbackUrl= and /settings/verify?next= keep the user on this origin', async ({
  browser,
  baseURL,
}) => {
  const { context, page } = await signIn(browser, ALICE, LAPTOP);
  // Never leave the machine: a request to the would-be target fails fast.
  await context.route(
    (url) => url.hostname.endsWith('evil.example'),
    (route) => route.abort(),
  );
  const origin = new URL(baseURL!).origin;
  for (const trick of REDIRECT_TRICKS) {
    await page.goto(`/login?callbackUrl=${trick}`).catch(() => {});
    expect(new URL(page.url()).origin, `callbackUrl=${trick}`).toBe(origin);
  }
  for (const trick of REDIRECT_TRICKS) {
    await page.goto(`/settings/verify?next=${trick}`);
    await page.getByLabel('Authenticator code').fill(TOTP_CODE);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect(page, `next=${trick}`).toHaveURL(/\/settings\/sessions$/);
    expect(new URL(page.url()).origin, `next=${trick}`).toBe(origin);
  }
  await context.close();
});

test('a device signed out from another one is told why on its login page, once', async ({
  browser,
}) => {
  const laptop = await signIn(browser, ALICE, LAPTOP);
  const phone = await signIn(browser, ALICE, PHONE);

  // The laptop signs the phone out from its device list.
  await verifyStepUp(laptop.page);
  const { items } = await openDevices(laptop.page);
  const phoneItem = items.filter({ hasText: PHONE.name });
  await phoneItem.getByRole('button', { name: `Sign out ${PHONE.name}` }).click();
  await phoneItem.getByRole('button', { name: 'Yes, sign out' }).click();
  await expect(items).toHaveCount(1);

  // The phone's next navigation lands on the login page, which says why.
  await phone.page.getByRole('link', { name: 'Contacts' }).click();
  await expect(phone.page).toHaveURL(/\/login/);
  await expect(phone.page.getByText('You were signed out from another device.')).toBeVisible();
  // The reason rode in an HttpOnly cookie: the page's scripts cannot read it.
  expect(await phone.page.evaluate(() => document.cookie)).not.toContain('end-reason');
  // Shown once: reloading the login page does not show it again.
  await phone.page.reload();
  await expect(phone.page.getByRole('heading', { name: 'Sign in to Pipeline CRM' })).toBeVisible();
  await expect(phone.page.getByTestId('signed-in-as')).toHaveCount(0);
  await expect(phone.page.getByText('You were signed out from another device.')).toHaveCount(0);

  // "Sign out all other devices" from the laptop: the phone is told that instead.
  const again = await signIn(browser, ALICE, PHONE);
  const revoked = await laptop.page.request.delete('/api/sessions?revokeAll=true');
  expect(revoked.status()).toBe(200);
  await again.page.getByRole('link', { name: 'Contacts' }).click();
  await expect(again.page).toHaveURL(/\/login/);
  await expect(again.page.getByText('You signed out everywhere.')).toBeVisible();

  await laptop.context.close();
  await phone.context.close();
  await again.context.close();
});
