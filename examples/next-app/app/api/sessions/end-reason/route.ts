import { createSessionEndReasonHandler } from '@sessionkit/next-auth';
import { authSecret } from '@/lib/secret';
import { sessionManager } from '@/lib/session-manager';

// Why this browser's last session ended: at sign-in withSessionTracking leaves a
// signed reference to the new session in an HttpOnly cookie; once that session
// has ended, this route reads its one record and answers the public reason.
// <SessionEndedNotice /> on the login page reads it (GET) and clears it once
// shown (DELETE).
export const { GET, DELETE } = createSessionEndReasonHandler({
  secret: authSecret(),
  manager: sessionManager,
});
