// Compiled by session-types.test.ts once against next-auth v4 and once against
// v5 (`next-auth` mapped to the v5 copy): the augmentation must hold in both.
import type { TrackedSessionFields } from '@sessionkit/next-auth';
import type { Session } from 'next-auth';
import { useSession } from 'next-auth/react';
import { expectTypeOf } from 'vitest';

declare module '@sessionkit/next-auth' {
  interface TrackedSessionUser {
    role: 'admin' | 'member';
  }
}

declare const session: Session;
expectTypeOf(session.sessionId).toEqualTypeOf<string>();
expectTypeOf(session.expiresAt).toEqualTypeOf<string>();
expectTypeOf(session.user.id).toEqualTypeOf<string>();
expectTypeOf(session.user.name).toEqualTypeOf<string | null | undefined>();
expectTypeOf(session.user.role).toEqualTypeOf<'admin' | 'member'>();
expectTypeOf(session).toMatchTypeOf<TrackedSessionFields>();
// @ts-expect-error the session never carries the sessionkit token
session.sessionToken;
// @ts-expect-error nor the JWT claim
session.sessionkit;

export function Client() {
  const { data } = useSession();
  if (data) expectTypeOf(data.sessionId).toEqualTypeOf<string>();
  return null;
}
