'use client';

import { signOut, useSession } from 'next-auth/react';
import { useEffect, useRef, useState } from 'react';

/**
 * The server sent this browser to the login page, yet the client still holds
 * the session it had when the layout rendered: that session was revoked,
 * signed out elsewhere or expired. Say so, and let next-auth clear its cookie
 * and client state (the root layout is not re-rendered on client navigation).
 */
export function SessionEndedNotice() {
  const { status } = useSession();
  const statusOnArrival = useRef(status);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    if (statusOnArrival.current !== 'authenticated') return;
    setEnded(true);
    void signOut({ redirect: false });
  }, []);

  if (!ended) return null;
  return (
    <p className="notice" role="status" data-testid="session-ended">
      Your session on this device has ended. Sign in again to continue.
    </p>
  );
}
