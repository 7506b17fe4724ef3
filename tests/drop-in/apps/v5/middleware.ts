// Middleware checks the tracked session against the store: it must run on
// Node.js (Next.js >= 15.5), not on the Edge runtime.
export { auth as middleware } from '@/auth';

export const config = { runtime: 'nodejs', matcher: ['/', '/settings'] };
