import { createDeviceRouteHandlers } from '@sessionkit/next-auth';
import { getSession } from '@/lib/auth';
import { sessionManager } from '@/lib/session-manager';

// GET lists the caller's known devices (remembered beyond their sessions);
// DELETE ?deviceId= forgets one, so its next sign-in counts as new again.
export const { GET, DELETE } = createDeviceRouteHandlers({ manager: sessionManager, getSession });
