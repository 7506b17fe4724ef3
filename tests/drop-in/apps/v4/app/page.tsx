import { isTrackedSession } from '@sessionkit/next-auth';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';

// getServerSession() checks the tracked session against the store on every request.
export default async function HomePage() {
  const session = await getSession();
  if (!isTrackedSession(session)) redirect('/api/auth/signin');
  return (
    <main>
      <h1 data-testid="signed-in-as">{session.user.name}</h1>
      <p data-testid="session-id">{session.sessionId}</p>
      <Link href="/settings">Devices</Link>
    </main>
  );
}
