import { createSessionLimitHandler } from '@sessionkit/next-auth';
import { sessionManager } from '@/lib/session-manager';

// GET ?pending=<id>: the devices a sign-in held at the session limit can sign
// out (only for the browser that signed in; it holds the matching cookie).
export const { GET } = createSessionLimitHandler({ manager: sessionManager });
