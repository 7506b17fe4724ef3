// Middleware kept on the Edge runtime (split config): an optimistic gate that
// never checks the store; pages check on Node.js through auth() from auth.ts.
import { withEdgeSessionTracking } from '@sessionkit/next-auth/edge';
import NextAuth from 'next-auth';
import authConfig from './auth.config';

export const { auth: middleware } = NextAuth(withEdgeSessionTracking(authConfig));

export const config = { matcher: ['/', '/settings'] };
