'use server';

import { isTrackedSession } from '@sessionkit/next-auth';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { safeRedirectPath } from '@/lib/safe-redirect';
import { sessionManager } from '@/lib/session-manager';
import { DEMO_TOTP_CODE } from '@/lib/step-up';

export type StepUpResult = { ok: true } | { ok: false; error: string };

/**
 * Checks the (simulated) two-factor code and records the step-up on the
 * caller's current session: `markVerified()` sets `verification` on it, which
 * the sessions API's `requireRecentVerification` guard reads.
 */
export async function verifyStepUp(code: unknown): Promise<StepUpResult> {
  const session = await getSession();
  if (!isTrackedSession(session)) return { ok: false, error: 'Sign in first.' };
  if (typeof code !== 'string' || code.trim() !== DEMO_TOTP_CODE) {
    return { ok: false, error: 'That code is not right. Try again.' };
  }
  const verified = await sessionManager.markVerified(session.sessionId, {
    method: 'totp',
    userId: session.user.id,
  });
  return verified ? { ok: true } : { ok: false, error: 'This session has ended. Sign in again.' };
}

/** Only same-origin paths: an open redirect through ?next= would help phishers. */
function safeNext(value: FormDataEntryValue | null): string {
  return safeRedirectPath(value, '/settings/sessions');
}

/** The /settings/verify form: verify, then go back where the user came from. */
export async function verifyAndContinue(formData: FormData): Promise<void> {
  const next = safeNext(formData.get('next'));
  const result = await verifyStepUp(formData.get('code'));
  if (!result.ok) redirect(`/settings/verify?error=1&next=${encodeURIComponent(next)}`);
  redirect(next);
}
