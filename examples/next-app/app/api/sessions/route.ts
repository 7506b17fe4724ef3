import { createSessionRouteHandlers } from '@sessionkit/next-auth';
import { getSession } from '@/lib/auth';
import { sessionManager } from '@/lib/session-manager';

// GET lists the caller's active sessions, DELETE revokes one (?sessionId=) or
// all others (?revokeAll=true), PATCH records activity. The owner always comes
// from the verified NextAuth session, never from the request.
export const { GET, DELETE, PATCH } = createSessionRouteHandlers({
  manager: sessionManager,
  getSession,
});
