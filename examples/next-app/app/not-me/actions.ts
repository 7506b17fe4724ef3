'use server';

import { redirect } from 'next/navigation';
import { revocationLinks } from '@/lib/notifications';
import { sessionManager } from '@/lib/session-manager';

/**
 * The confirm button of /not-me. Revoking happens here, on a POST (a server
 * action), never when the link itself is opened: mail scanners, link previews
 * and browser prefetchers follow GET links in emails on their own, and a GET
 * that revoked would sign the device out before the user ever saw the message
 * (GET must stay safe, RFC 9110 §9.2.1). Next.js also checks the Origin of
 * every server action, so another site cannot post this form.
 *
 * The signed token is the only credential: whoever holds the email may sign
 * that one session out, nothing else. The user need not be signed in (they may
 * read the email on another device).
 */
export async function revokeReportedSession(formData: FormData): Promise<void> {
  const token = formData.get('token');
  const sessionId = typeof token === 'string' ? revocationLinks().verify(token) : null;
  if (sessionId === null) redirect('/not-me?result=invalid');
  const revoked = await sessionManager.revoke(sessionId, { reason: 'reported_not_me' });
  redirect(`/not-me?result=${revoked ? 'revoked' : 'already-ended'}`);
}
