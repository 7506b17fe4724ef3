import { withSessionTracking } from '@sessionkit/next-auth';
import NextAuth from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { findDemoUser } from '@/lib/demo-users';
import { manager } from '@/lib/sessions';

// No getHeaders: sign-ins read the user agent and IP through next/headers.
export const { handlers, auth, signIn, signOut } = NextAuth(
  withSessionTracking(
    {
      // AUTH_SECRET comes from the environment; not on Vercel, so trust the Host header.
      trustHost: true,
      session: { strategy: 'jwt' },
      pages: { signIn: '/login' },
      providers: [
        Credentials({
          credentials: { email: { label: 'Email' }, password: { label: 'Password' } },
          authorize(credentials) {
            const user = findDemoUser(credentials?.email, credentials?.password);
            return user ? { id: user.id, name: user.name, email: user.email } : null;
          },
        }),
      ],
    },
    // The default setEndReason: at sign-in, a signed reference to the session in
    // an HttpOnly cookie, which app/api/sessions/end-reason turns into the reason.
    { manager },
  ),
);
