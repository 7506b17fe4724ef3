import { withSessionTracking } from '@sessionkit/next-auth';
import NextAuth from 'next-auth';
import authConfig from './auth.config';
import { adapter } from './lib/adapter';
import { manager } from './lib/sessions';

export const { handlers, auth, signIn, signOut } = NextAuth(
  withSessionTracking({ ...authConfig, adapter, session: { strategy: 'jwt' } }, { manager }),
);
