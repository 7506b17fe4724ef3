import {
  SessionEndedError,
  sessionLimitProvider,
  withSessionTracking,
} from '@sessionkit/next-auth';
import { type DefaultSession, getServerSession, type NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { config } from './config';
import { findDemoUser } from './demo-users';
import { authSecret } from './secret';
import { sessionManager } from './session-manager';
import { ssoProvider } from './sso';

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
    // "Sign in with SSO" when the demo's local OpenID provider runs (lib/sso.ts).
    ...[ssoProvider()].filter((p) => p !== null),
    // Finishes a sign-in held at the session limit once the user chose a device to sign out.
    sessionLimitProvider({ manager: sessionManager }),
  ],
  logger: {
    error(code, metadata) {
      // A revoked, signed-out or expired session is an expected outcome: its
      // JWT decodes to null ("JWT invalid"), or withSessionTracking throws
      // SessionEndedError, so that next-auth v4 clears the cookie; v4 would log
      // either as an error with a stack trace.
      if (
        metadata instanceof SessionEndedError ||
        (code === 'JWT_SESSION_ERROR' && (metadata as Error)?.message === 'JWT invalid')
      ) {
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
      if (session.user && typeof token.role === 'string') session.user.role = token.role;
      return session;
    },
  },
};

// The app's own fields, declared the way next-auth documents it. sessionkit adds
// sessionId and expiresAt (optional on Session; isTrackedSession() narrows),
// and TrackedSessionUser types the user of a narrowed session.
declare module '@sessionkit/next-auth' {
  interface TrackedSessionUser {
    role?: string;
  }
}
declare module 'next-auth' {
  interface Session {
    user?: DefaultSession['user'] & { id?: string; role?: string };
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
  sessionLimitPage: '/login/choose-session',
});

/** The signed-in user's session, or null (never a revoked or expired one). */
export function getSession() {
  return getServerSession(authOptions);
}
