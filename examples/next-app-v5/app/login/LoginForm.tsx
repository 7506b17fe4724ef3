'use client';

import { signIn } from 'next-auth/react';
import { type FormEvent, useState } from 'react';

export function LoginForm() {
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    const result = await signIn('credentials', {
      email: form.get('email'),
      password: form.get('password'),
      redirect: false,
    });
    if (result?.error) {
      setError('That email and password do not match a demo account.');
      return;
    }
    // A full load, so the server renders the page with the new session.
    window.location.assign('/');
  }

  return (
    <form onSubmit={onSubmit}>
      <label>
        Email <input type="email" name="email" autoComplete="username" required />
      </label>{' '}
      <label>
        Password <input type="password" name="password" autoComplete="current-password" required />
      </label>{' '}
      <button type="submit">Sign in</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
