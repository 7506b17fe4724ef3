import { randomBytes } from 'node:crypto';

// NEXTAUTH_SECRET signs and encrypts the JWT cookie, and signs the "this wasn't
// me" links in notification emails. The demo script sets one; when it is missing
// (e.g. a bare `pnpm dev`), make one up for this process, kept on globalThis so
// every server bundle of the process agrees on it. Restarting the server then
// signs everybody out and voids the links, which is fine for a demo.
const SECRET_KEY = Symbol.for('sessionkit-example:nextauth-secret');
type GlobalWithSecret = typeof globalThis & { [SECRET_KEY]?: string };

export function authSecret(): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  const global = globalThis as GlobalWithSecret;
  if (!global[SECRET_KEY]) {
    global[SECRET_KEY] = randomBytes(32).toString('base64url');
    if (process.env.NEXT_PHASE !== 'phase-production-build') {
      console.warn(
        '[next-app] NEXTAUTH_SECRET is not set: using a random secret for this process (sign-ins end on restart).',
      );
    }
  }
  return global[SECRET_KEY];
}
