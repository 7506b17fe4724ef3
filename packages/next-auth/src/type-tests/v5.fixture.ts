import type { SessionManager } from '@sessionkit/core';
import {
  createPagesSessionHandler,
  createSessionRouteHandlers,
  withSessionTracking,
} from '@sessionkit/next-auth';
import type { NextApiRequest, NextApiResponse } from 'next';
import NextAuth, { type NextAuthConfig, type Session } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { expectTypeOf } from 'vitest';

declare const manager: SessionManager;

const config = {
  session: { strategy: 'jwt' },
  providers: [Credentials({ credentials: {}, authorize: async () => ({ id: 'u1' }) })],
  callbacks: {
    async jwt({ token }) {
      return token;
    },
  },
  events: {
    async signOut(message) {
      void message;
    },
  },
} satisfies NextAuthConfig;

export const { handlers, auth, signIn, signOut } = NextAuth(
  withSessionTracking(config, { manager }),
);
// Options written inline, as the docs show: `strategy: 'jwt'` must stay a
// literal through withSessionTracking, or NextAuth() refuses the result.
export const inline = NextAuth(
  withSessionTracking(
    {
      trustHost: true,
      session: { strategy: 'jwt' },
      providers: [Credentials({ credentials: {}, authorize: async () => ({ id: 'u1' }) })],
    },
    { manager },
  ),
);
export const lazy = NextAuth(async (request) =>
  withSessionTracking(config, { manager, getHeaders: () => request?.headers }),
);

export async function page() {
  const session = await auth();
  expectTypeOf(session).toEqualTypeOf<Session | null>();
  if (session) {
    expectTypeOf(session.sessionId).toEqualTypeOf<string | undefined>();
    expectTypeOf(session.user?.id).toEqualTypeOf<string | undefined>();
  }
}

export const { GET, DELETE, PATCH } = createSessionRouteHandlers({
  manager,
  getSession: () => auth(),
});

export const pages = createPagesSessionHandler({
  manager,
  getSession: (req: NextApiRequest, res: NextApiResponse) => auth(req, res),
});

// The app's own callbacks written inline (issue 13): next-auth's real parameter
// types reach them through withSessionTracking, never `never`.
export const withCallbacks = NextAuth(
  withSessionTracking(
    {
      trustHost: true,
      basePath: '/auth',
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
          expectTypeOf(session.sessionId).toEqualTypeOf<string | undefined>();
          if (typeof token.plan === 'string') session.user.name = token.plan;
          return session;
        },
        authorized({ auth }) {
          return !!auth;
        },
      },
    },
    { manager },
  ),
);
