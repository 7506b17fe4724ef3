import { withSessionTracking } from '@sessionkit/next-auth';
import { type AuthOptions, getServerSession } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { manager } from './sessions';

export const authOptions: AuthOptions = withSessionTracking(
  {
    session: { strategy: 'jwt' },
    providers: [
      CredentialsProvider({
        credentials: {
          username: { label: 'Username' },
          password: { label: 'Password', type: 'password' },
        },
        async authorize(credentials) {
          if (credentials?.username !== 'alice' || credentials.password !== 'drop-in') return null;
          return { id: 'user-alice', name: 'Alice', email: 'alice@example.com' };
        },
      }),
    ],
    callbacks: {
      // The app's own callbacks, written inline: typed by next-auth.
      async jwt({ token, user, account, trigger }) {
        if (trigger === 'signIn' && user) token.plan = 'pro';
        if (account) token.provider = account.provider;
        return token;
      },
      async session({ session }) {
        return session;
      },
    },
  },
  { manager },
);

export const getSession = () => getServerSession(authOptions);
