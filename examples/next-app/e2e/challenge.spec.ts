import { expect, type Page, test } from '@playwright/test';
import {
  CAROL,
  LAPTOP,
  nextAuthSession,
  openDevices,
  PHONE,
  signIn,
  verifyStepUp,
} from './fixtures';

// Runs against the policies server (playwright.config.ts), which has
// SESSIONKIT_SUSPICIOUS_POLICY=challenge. Carol signs in nowhere else, so her
// first sign-in (the laptop, in the UK) has no history to look unusual against
// and the second, from the US, is a new country: challenged.

/** The caller's other sessions, from the sessions API. */
async function otherSessionIds(page: Page): Promise<string[]> {
  const response = await page.request.get('/api/sessions');
  expect(response.status()).toBe(200);
  const body = (await response.json()) as {
    sessions: { id: string }[];
    currentSessionId: string;
  };
  return body.sessions.map((s) => s.id).filter((id) => id !== body.currentSessionId);
}

test('a risky sign-in is challenged: it cannot sign other devices out until it verifies, then its browser is trusted', async ({
  browser,
}) => {
  const laptop = await signIn(browser, CAROL, LAPTOP);
  expect((await nextAuthSession(laptop.page)).verificationRequired).toBeUndefined();

  // A new country: the session works, flagged as challenged.
  const phone = await signIn(browser, CAROL, PHONE);
  expect((await nextAuthSession(phone.page)).verificationRequired).toBe(true);
  await openDevices(phone.page);
  const challenge = phone.page.getByRole('region', { name: 'Verify it’s you' });
  await expect(challenge).toBeVisible();

  // Sensitive actions are refused while the challenge is pending.
  const [laptopId] = await otherSessionIds(phone.page);
  expect(laptopId).toBeDefined();
  const refused = await phone.page.request.delete(`/api/sessions?sessionId=${laptopId}`);
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.code).toBe('SIGN_IN_VERIFICATION_REQUIRED');
  const refusedAll = await phone.page.request.delete('/api/sessions?revokeAll=true');
  expect(refusedAll.status()).toBe(403);
  await laptop.page.goto('/');
  await expect(laptop.page.getByTestId('signed-in-as')).toHaveText(CAROL.name);

  // "Verify it's you" (markVerified) lifts the challenge on the next read.
  await verifyStepUp(phone.page);
  await expect(challenge).toHaveCount(0);
  expect((await nextAuthSession(phone.page)).verificationRequired).toBeUndefined();
  const revoked = await phone.page.request.delete(`/api/sessions?sessionId=${laptopId}`);
  expect(revoked.status()).toBe(200);
  await laptop.page.goto('/settings/sessions');
  await expect(laptop.page).toHaveURL(/\/login/);

  // The verified browser is trusted: signing in again from it is not challenged.
  await phone.page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(phone.page).toHaveURL(/\/login/);
  await phone.page.getByLabel('Email').fill(CAROL.email);
  await phone.page.getByLabel('Password').fill(CAROL.password);
  await phone.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(phone.page.getByTestId('signed-in-as')).toHaveText(CAROL.name);
  expect((await nextAuthSession(phone.page)).verificationRequired).toBeUndefined();

  await Promise.all([laptop.context.close(), phone.context.close()]);
});
