// An existing app that already augments next-auth's Session with its own
// `user` (the pattern next-auth's docs teach): adding sessionkit must not clash.
import '@sessionkit/next-auth';
import type { DefaultSession, Session } from 'next-auth';
import { expectTypeOf } from 'vitest';

declare module 'next-auth' {
  interface Session {
    user: { id: string; plan: 'free' | 'pro' } & DefaultSession['user'];
  }
}

declare const session: Session;
expectTypeOf(session.user.plan).toEqualTypeOf<'free' | 'pro'>();
expectTypeOf(session.sessionId).toEqualTypeOf<string | undefined>();
