import type { SessionManager } from '@sessionkit/core';
import {
  createPagesSessionHandler,
  createSessionRouteHandlers,
  withSessionTracking,
} from '@sessionkit/next-auth';
import type { NextApiRequest, NextApiResponse } from 'next';
import NextAuth, { type AuthOptions, getServerSession, type Session } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { expectTypeOf } from 'vitest';

declare const manager: SessionManager;

export const authOptions: AuthOptions = withSessionTracking(
  {
    session: { strategy: 'jwt' },
    providers: [Credentials({ credentials: {}, authorize: async () => ({ id: 'u1' }) })],
    callbacks: {
      async jwt({ token, user }) {
        if (user) token.plan = 'pro';
        return token;
      },
      async session({ session }) {
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        void token;
      },
    },
  },
  { manager },
);
export const handler = NextAuth(authOptions);

export async function page() {
  const session = await getServerSession(authOptions);
  expectTypeOf(session).toEqualTypeOf<Session | null>();
  if (session) expectTypeOf(session.sessionId).toEqualTypeOf<string | undefined>();
}

export const { GET, DELETE, PATCH } = createSessionRouteHandlers({
  manager,
  getSession: () => getServerSession(authOptions),
});

export default createPagesSessionHandler({
  manager,
  getSession: (req: NextApiRequest, res: NextApiResponse) =>
    getServerSession(req, res, authOptions),
});

export const pagesAuth = (req: NextApiRequest, res: NextApiResponse) =>
  NextAuth(req, res, withSessionTracking(authOptions, { manager, getHeaders: () => req.headers }));

// The app's own callbacks written inline (issue 13): next-auth's real parameter
// types reach them through withSessionTracking, never `never`.
export const inline = NextAuth(
  withSessionTracking(
    {
      session: { strategy: 'jwt' },
      providers: [Credentials({ credentials: {}, authorize: async () => ({ id: 'u1' }) })],
      callbacks: {
        async jwt({ token, user, account, trigger }) {
          expectTypeOf(trigger).toEqualTypeOf<'signIn' | 'signUp' | 'update' | undefined>();
          if (user) token.plan = user.email ?? 'free';
          if (account) token.provider = account.provider;
          return token;
        },
        async session({ session, token }) {
          if (session.user && typeof token.plan === 'string') session.user.name = token.plan;
          return session;
        },
      },
    },
    { manager },
  ),
);
