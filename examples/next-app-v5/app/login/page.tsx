import { SessionEndedNotice } from '@sessionkit/react';
import { redirect } from 'next/navigation';
import { auth } from '@/auth';
import { DEMO_USERS } from '@/lib/demo-users';
import { LoginForm } from './LoginForm';

export default async function LoginPage() {
  if (await auth()) redirect('/');
  return (
    <main>
      <h1>Sign in</h1>
      {/* Why this browser's last session ended, once: app/api/sessions/end-reason. */}
      <SessionEndedNotice />
      <LoginForm />
      <p>Demo accounts:</p>
      <ul>
        {DEMO_USERS.map((user) => (
          <li key={user.id}>
            <code>{user.email}</code> / <code>{user.password}</code>
          </li>
        ))}
      </ul>
    </main>
  );
}
