'use client';

import { SessionEndedNotice as EndReasonNotice } from '@sessionkit/react';
import { signOut, useSession } from 'next-auth/react';
import { useEffect, useRef, useState } from 'react';

/**
 * Why this browser is on the login page, when its session ended.
 *
 * The server sent it here, yet the client may still hold the session it had
 * when the layout rendered (revoked, signed out elsewhere or expired): say so,
 * and let next-auth clear its cookie and client state (the root layout is not
 * re-rendered on client navigation). Then sessionkit's notice asks
 * /api/sessions/end-reason, which answers from the signed reference to this
 * browser's session that sign-in left in an HttpOnly cookie, and shows the
 * reason once: "You were signed out from another device."
 */
export function SessionEndedNotice() {
  const { status } = useSession();
  const statusOnArrival = useRef(status);
  const [ended, setEnded] = useState(false);
  const [settled, setSettled] = useState(statusOnArrival.current !== 'authenticated');

  useEffect(() => {
    if (statusOnArrival.current !== 'authenticated') return;
    setEnded(true);
    void signOut({ redirect: false }).finally(() => setSettled(true));
  }, []);

  return (
    <>
      {ended && (
        <p className="notice" role="status" data-testid="session-ended">
          Your session on this device has ended. Sign in again to continue.
        </p>
      )}
      {settled && <EndReasonNotice />}
    </>
  );
}
