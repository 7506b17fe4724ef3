import { isTrackedSession } from '@sessionkit/next-auth';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { auth } from '@/auth';
import { SignOutButton } from './SignOutButton';

// The protected page: auth() validates the tracked session on every request.
export default async function HomePage() {
  const session = await auth();
  if (!isTrackedSession(session)) redirect('/login');
  return (
    <main>
      <h1>
        Signed in as <span data-testid="signed-in-as">{session.user.name}</span>
      </h1>
      <p>
        Session <code data-testid="session-id">{session.sessionId}</code>, ends{' '}
        {new Date(session.expiresAt).toUTCString()}.
      </p>
      <nav style={{ display: 'flex', gap: '1rem' }}>
        <Link href="/settings/sessions">Devices</Link>
        <SignOutButton />
      </nav>
    </main>
  );
}
