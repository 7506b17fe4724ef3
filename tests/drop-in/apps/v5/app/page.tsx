import { isTrackedSession } from '@sessionkit/next-auth';
import Link from 'next/link';
import { auth, signIn } from '@/auth';

// auth() checks the tracked session against the store on every request.
export default async function HomePage() {
  const session = await auth();
  if (!isTrackedSession(session)) return signIn();
  return (
    <main>
      <h1 data-testid="signed-in-as">{session.user.name}</h1>
      <p data-testid="session-id">{session.sessionId}</p>
      <Link href="/settings">Devices</Link>
    </main>
  );
}
