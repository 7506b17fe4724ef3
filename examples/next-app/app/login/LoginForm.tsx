'use client';

import { signIn } from 'next-auth/react';
import { type FormEvent, useState } from 'react';

interface DemoUserHint {
  name: string;
  email: string;
  password: string;
  role: string;
}

export function LoginForm({
  callbackUrl,
  demoUsers,
}: {
  callbackUrl: string;
  demoUsers: DemoUserHint[];
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const result = await signIn('credentials', { email, password, redirect: false });
    if (result?.ok && !result.error) {
      // At the session limit the sign-in is held and sessionkit answers the
      // device picker's URL instead of the callback: go there.
      const next = result.url ? new URL(result.url, window.location.href) : null;
      if (next?.origin === window.location.origin && next.pathname === '/login/choose-session') {
        window.location.assign(next.href);
        return;
      }
      // A full load, so the server renders the signed-in layout and session.
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    setError('That email and password do not match a demo account.');
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <label className="field">
        <span>Email</span>
        <input
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Password</span>
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
      <div className="quick-fill">
        <span className="muted small">Fill in:</span>
        {demoUsers.map((user) => (
          <button
            key={user.email}
            type="button"
            className="button button-secondary button-small"
            onClick={() => {
              setEmail(user.email);
              setPassword(user.password);
            }}
          >
            {user.name.split(' ')[0]}
          </button>
        ))}
      </div>
    </form>
  );
}
