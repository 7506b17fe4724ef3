import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getSession } from '@/lib/auth';
import { DEMO_USERS } from '@/lib/demo-users';
import { safeRedirectPath } from '@/lib/safe-redirect';
import { ssoIssuer } from '@/lib/sso';
import { LoginForm } from './LoginForm';
import { SessionEndedNotice } from './SessionEndedNotice';
import { SsoButton } from './SsoButton';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  // Only same-origin paths: an open redirect through ?callbackUrl= would help phishers.
  const callbackUrl = safeRedirectPath(params.callbackUrl, '/');
  if (await getSession()) redirect(callbackUrl);

  return (
    <div className="login">
      <section className="card login-card" aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Pipeline CRM</h1>
        <p className="muted">Every sign-in becomes a device you can see and revoke.</p>
        <SessionEndedNotice />
        <LoginForm
          callbackUrl={callbackUrl}
          demoUsers={DEMO_USERS.map(({ name, email, password, role }) => ({
            name,
            email,
            password,
            role,
          }))}
        />
        {ssoIssuer() && <SsoButton callbackUrl={callbackUrl} />}
      </section>
      <section className="card demo-users" aria-labelledby="demo-title">
        <h2 id="demo-title">Demo accounts</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Password</th>
            </tr>
          </thead>
          <tbody>
            {DEMO_USERS.map((user) => (
              <tr key={user.id}>
                <td>
                  {user.name}
                  <div className="muted small">{user.role}</div>
                </td>
                <td>
                  <code>{user.email}</code>
                </td>
                <td>
                  <code>{user.password}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          Sign in as the same account in two browsers (or a normal and a private window) and open{' '}
          <strong>Devices</strong> in both.
        </p>
      </section>
    </div>
  );
}
