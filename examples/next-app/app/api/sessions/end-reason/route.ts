import { createSessionEndReasonHandler } from '@sessionkit/next-auth';
import { authSecret } from '@/lib/secret';

// Why this browser's last session ended: withSessionTracking leaves the public
// reason in a signed, short-lived cookie; <SessionEndedNotice /> on the login
// page reads it here (GET) and clears it once shown (DELETE).
export const { GET, DELETE } = createSessionEndReasonHandler({ secret: authSecret() });
