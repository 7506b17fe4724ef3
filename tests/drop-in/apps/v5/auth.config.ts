// The app's own next-auth config, Edge-safe (no adapter, no store): what
// Auth.js's "split config" pattern puts in auth.config.ts.
import type { NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';

const USERS: Record<string, { id: string; name: string; email: string }> = {
  alice: { id: 'user-alice', name: 'Alice', email: 'alice@example.com' },
};

export default {
  trustHost: true,
  basePath: '/auth',
  providers: [
    Credentials({
      credentials: {
        username: { label: 'Username' },
        password: { label: 'Password', type: 'password' },
      },
      authorize(credentials) {
        const user = USERS[String(credentials?.username)];
        return user && credentials?.password === 'drop-in' ? user : null;
      },
    }),
  ],
  callbacks: {
    // The app's own callbacks, written inline: typed by next-auth.
    jwt({ token, user, account, trigger }) {
      if (trigger === 'signIn' && user) token.plan = 'pro';
      if (account) token.provider = account.provider;
      return token;
    },
    session({ session, token }) {
      if (typeof token.plan === 'string') session.plan = token.plan;
      return session;
    },
    // Middleware: signed-out visitors go to the sign-in page.
    authorized({ auth }) {
      return !!auth;
    },
  },
} satisfies NextAuthConfig;

declare module 'next-auth' {
  interface Session {
    plan?: string;
  }
}
