import { redirect } from 'next/navigation';
import { auth } from '@/auth';
import { DEMO_USERS } from '@/lib/demo-users';
import { LoginForm } from './LoginForm';

export default async function LoginPage() {
  if (await auth()) redirect('/');
  return (
    <main>
      <h1>Sign in</h1>
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
