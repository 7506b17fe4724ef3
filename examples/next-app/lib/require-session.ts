import { isTrackedSession } from '@sessionkit/next-auth';
import { redirect } from 'next/navigation';
import { getSession } from './auth';

/**
 * The current session, or a redirect to the login page. Every protected page
 * calls this: layouts are not re-rendered on client-side navigation, pages
 * are, so a revoked session is caught on the very next navigation.
 */
export async function requireSession(from: string) {
  const session = await getSession();
  // isTrackedSession narrows it: sessionId, expiresAt and user.id are all there.
  if (!isTrackedSession(session)) redirect(`/login?callbackUrl=${encodeURIComponent(from)}`);
  return session;
}
