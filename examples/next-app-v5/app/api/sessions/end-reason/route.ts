import { createSessionEndReasonHandler } from '@sessionkit/next-auth';
import { manager } from '@/lib/sessions';

// Why this browser's last session ended. At sign-in withSessionTracking leaves a
// signed reference to the new session in an HttpOnly cookie; once that session
// has ended, this route reads its one record and answers the public reason.
// <SessionEndedNotice /> on the login page reads it (GET) and clears it (DELETE).
export const { GET, DELETE } = createSessionEndReasonHandler({ manager });
