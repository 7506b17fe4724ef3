// Compiled by session-types.test.ts once against next-auth v4 and once against
// v5 (`next-auth` mapped to the v5 copy): the augmentation must hold in both.
import {
  isTrackedSession,
  type TrackedSession,
  type TrackedSessionFields,
} from '@sessionkit/next-auth';
import type { Session } from 'next-auth';
import { useSession } from 'next-auth/react';
import { expectTypeOf } from 'vitest';

declare module '@sessionkit/next-auth' {
  interface TrackedSessionUser {
    role: 'admin' | 'member';
  }
}

declare const session: Session;
expectTypeOf(session.sessionId).toEqualTypeOf<string | undefined>();
expectTypeOf(session.expiresAt).toEqualTypeOf<string | undefined>();
// @ts-expect-error the session never carries the sessionkit token
session.sessionToken;
// @ts-expect-error nor the JWT claim
session.sessionkit;

// Narrowed, every sessionkit field is there.
if (isTrackedSession(session)) {
  expectTypeOf(session.sessionId).toEqualTypeOf<string>();
  expectTypeOf(session.expiresAt).toEqualTypeOf<string>();
  expectTypeOf(session.user.id).toEqualTypeOf<string>();
  expectTypeOf(session.user.name).toEqualTypeOf<string | null | undefined>();
  expectTypeOf(session.user.role).toEqualTypeOf<'admin' | 'member'>();
  expectTypeOf(session).toMatchTypeOf<TrackedSessionFields>();
  expectTypeOf(session).toMatchTypeOf<TrackedSession>();
}

// An existing app's own code keeps compiling: it builds sessions without the
// sessionkit fields and without a user id (tests, mocks, fallbacks).
export const guest: Session = {
  user: { name: 'Guest', email: 'guest@example.com' },
  expires: new Date().toISOString(),
};
export function mock(overrides: Partial<Session> = {}): Session {
  return { expires: '2030-01-01T00:00:00.000Z', ...overrides };
}

export function Client() {
  const { data } = useSession();
  if (data) expectTypeOf(data.sessionId).toEqualTypeOf<string | undefined>();
  if (isTrackedSession(data)) expectTypeOf(data.sessionId).toEqualTypeOf<string>();
  return null;
}
