import { createSessionRouteHandlers } from '@sessionkit/next-auth';
import { getSession } from '@/lib/auth';
import { sessionManager } from '@/lib/session-manager';
import { REVOKE_ALL_NEEDS_VERIFICATION_WITHIN } from '@/lib/step-up';

// GET lists the caller's active sessions, DELETE revokes one (?sessionId=) or
// all others (?revokeAll=true), PATCH records activity. The owner always comes
// from the verified NextAuth session, never from the request. Signing out other
// devices — all at once or one by one, else a thief would just revoke them one
// at a time — needs a two-factor check (/settings/verify) within 5 minutes:
// without one it answers 403 VERIFICATION_REQUIRED. Signing out this device
// never needs one.
export const { GET, DELETE, PATCH } = createSessionRouteHandlers({
  manager: sessionManager,
  getSession,
  requireRecentVerification: {
    revokeAll: REVOKE_ALL_NEEDS_VERIFICATION_WITHIN,
    revoke: REVOKE_ALL_NEEDS_VERIFICATION_WITHIN,
  },
});
