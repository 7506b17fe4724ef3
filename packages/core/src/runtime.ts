import { SessionKitError } from './errors.js';

/** Where the fix for {@link EdgeRuntimeError} is written up. */
const EDGE_DOCS =
  'https://github.com/sessionkit/sessionkit/blob/main/docs/next-auth.md#middleware-and-the-edge-runtime';

/**
 * sessionkit was asked to check or create sessions on the Edge runtime (Next.js
 * middleware before 15.5, or with `runtime: 'edge'`), where it cannot: hashing
 * needs `node:crypto` and the Redis and Mongo stores need TCP sockets. Thrown at
 * once, so that middleware fails loudly instead of signing every user out.
 */
export class EdgeRuntimeError extends SessionKitError {
  constructor(what: string) {
    super(
      'EDGE_RUNTIME',
      `sessionkit: ${what} ran on the Edge runtime, where sessions cannot be checked against the store (no node:crypto, no TCP). This is usually middleware importing your auth config. Fix one of: run middleware on Node.js with \`export const config = { runtime: 'nodejs' }\` in middleware.ts (Next.js >= 15.5), or rename middleware.ts to proxy.ts (Next.js 16, always Node.js); or split the config so that middleware uses withEdgeSessionTracking(authConfig) from '@sessionkit/next-auth/edge' and never imports the session manager or its store. See ${EDGE_DOCS}`,
    );
  }
}

/**
 * Whether this code runs on an Edge runtime (Next.js middleware or edge routes,
 * Vercel Edge Functions). `EdgeRuntime` is the global the Edge runtime defines;
 * Next.js also replaces `process.env.NEXT_RUNTIME` in each bundle it builds.
 */
export function isEdgeRuntime(): boolean {
  if (typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string') return true;
  // Written out in full (not `env[name]`) so that bundlers can inline it.
  return typeof process !== 'undefined' && process.env?.NEXT_RUNTIME === 'edge';
}
