import { randomBytes } from 'node:crypto';
import { SessionEndedError, withSessionTracking } from '@sessionkit/next-auth';
import { getServerSession, type NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { config } from './config';
import { findDemoUser } from './demo-users';
import { sessionManager } from './session-manager';

// NEXTAUTH_SECRET signs and encrypts the JWT cookie. The demo script sets one;
// when it is missing (e.g. a bare `pnpm dev`), make one up for this process, kept
// on globalThis so every server bundle of the process agrees on it. Restarting
// the server then signs everybody out, which is fine for a demo.
const SECRET_KEY = Symbol.for('sessionkit-example:nextauth-secret');
type GlobalWithSecret = typeof globalThis & { [SECRET_KEY]?: string };

function authSecret(): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  const global = globalThis as GlobalWithSecret;
  if (!global[SECRET_KEY]) {
    global[SECRET_KEY] = randomBytes(32).toString('base64url');
    if (process.env.NEXT_PHASE !== 'phase-production-build') {
      console.warn(
        '[next-app] NEXTAUTH_SECRET is not set: using a random secret for this process (sign-ins end on restart).',
      );
    }
  }
  return global[SECRET_KEY];
}

const baseAuthOptions: NextAuthOptions = {
  secret: authSecret(),
  // JWT sessions: NextAuth keeps no session table, so sessionkit is what makes
  // them listable and revocable.
  session: { strategy: 'jwt', maxAge: config.sessionMaxAgeSeconds },
  pages: { signIn: '/login' },
  providers: [
    CredentialsProvider({
      name: 'Demo account',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
      },
      authorize(credentials) {
        const user = findDemoUser(credentials?.email, credentials?.password);
        return user ? { id: user.id, name: user.name, email: user.email, role: user.role } : null;
      },
    }),
  ],
  logger: {
    error(code, metadata) {
      // A revoked, signed-out or expired session is an expected outcome:
      // withSessionTracking throws SessionEndedError so that next-auth v4 clears
      // the cookie, and v4 would log that as an error with a stack trace.
      if (metadata instanceof SessionEndedError) {
        console.info('[next-auth] a request came with an ended session: signed out.');
        return;
      }
      console.error(`[next-auth][error][${code}]`, metadata);
    },
  },
  callbacks: {
    // The app's own callbacks keep working: withSessionTracking wraps them and
    // keeps what they return.
    jwt({ token, user }) {
      if (user) token.role = user.role;
      return token;
    },
    session({ session, token }) {
      if (typeof token.role === 'string') session.user.role = token.role;
      return session;
    },
  },
};

// The app's own fields on top of what sessionkit adds (sessionId, expiresAt, user.id).
declare module '@sessionkit/next-auth' {
  interface TrackedSessionUser {
    role?: string;
  }
}
declare module 'next-auth' {
  interface User {
    role?: string;
  }
}
declare module 'next-auth/jwt' {
  interface JWT {
    role?: string;
  }
}

/** NextAuth options with every sign-in tracked (and revocable) by sessionkit. */
export const authOptions: NextAuthOptions = withSessionTracking(baseAuthOptions, {
  manager: sessionManager,
});

/** The signed-in user's session, or null (never a revoked or expired one). */
export function getSession() {
  return getServerSession(authOptions);
}
