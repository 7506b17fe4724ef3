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
    expectTypeOf(session.sessionId).toEqualTypeOf<string>();
    expectTypeOf(session.user.id).toEqualTypeOf<string>();
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
