import type NextAuth from 'next-auth';

// The options object of the next-auth the app has installed, read off its
// default export so that one declaration serves both majors: v4's `NextAuth`
// is overloaded and its last signature is `(req, res, options: AuthOptions)`;
// v5's takes `NextAuthConfig` or a function returning it. As the constraint of
// withSessionTracking's type parameter, it gives inline callbacks
// (`jwt({ token, user, account, trigger })`) next-auth's own parameter types.
type NextAuthParameters = Parameters<typeof NextAuth>;

/** next-auth v4's `AuthOptions` or v5's `NextAuthConfig`, whichever is installed. */
export type InstalledAuthOptions = NextAuthParameters extends [unknown, unknown, infer V4Options]
  ? V4Options
  : NextAuthParameters extends [infer V5Config]
    ? Exclude<V5Config, (...args: never[]) => unknown>
    : never;

/**
 * {@link InstalledAuthOptions} with every field optional (`providers`
 * included): withSessionTracking checks only what it wraps.
 */
export type InstalledAuthOptionsPartial = Partial<InstalledAuthOptions>;

type InstalledCallbacks = NonNullable<InstalledAuthOptions['callbacks']>;
type FirstParameter<F> = F extends (params: infer P, ...rest: never[]) => unknown ? P : never;

/**
 * The callbacks withSessionTracking wraps, with next-auth's own parameter
 * types (so inline callbacks are typed) and any return: the wrapper calls them
 * with exactly what next-auth passed and copes with whatever they return.
 * Methods, so that a callback declaring a narrower parameter still fits. The
 * other callbacks (`signIn`, `authorized`…) keep next-auth's types.
 */
export interface InstalledCallbackParameters {
  callbacks?:
    | (Omit<InstalledCallbacks, 'jwt' | 'session'> & {
        jwt?(params: FirstParameter<NonNullable<InstalledCallbacks['jwt']>>): unknown;
        session?(params: FirstParameter<NonNullable<InstalledCallbacks['session']>>): unknown;
      })
    | undefined;
}
