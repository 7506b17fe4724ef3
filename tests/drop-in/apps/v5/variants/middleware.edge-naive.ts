// What an app gets by default on Next.js 15: middleware on the Edge runtime
// importing the Node.js auth config. sessionkit must refuse loudly.
export { auth as middleware } from '@/auth';

export const config = { matcher: ['/', '/settings'] };
