'use client';

import { useSessionExpiry } from '@sessionkit/react';
import { signOut } from 'next-auth/react';
import { useEffect, useState } from 'react';

/** Warns before the session's absolute end; sessionkit sessions cannot be extended. */
export function ExpiryBanner({ warnBeforeSeconds }: { warnBeforeSeconds: number }) {
  const { isExpiringSoon, expiresAt } = useSessionExpiry({ warnBefore: warnBeforeSeconds * 1000 });
  if (!isExpiringSoon || !expiresAt) return null;
  return (
    <section className="expiry-banner" aria-label="Session expiry" data-testid="expiry-banner">
      {/* Announced once; the ticking countdown beside it is for sighted users. */}
      <p role="alert" className="sr-only">
        Your session ends at {expiresAt.toLocaleTimeString()}. Save your work, then sign in again.
      </p>
      <Countdown until={expiresAt} />
      <button
        type="button"
        className="button button-small"
        onClick={() => void signOut({ callbackUrl: '/login' })}
      >
        Sign in again
      </button>
    </section>
  );
}

// useSessionExpiry does not tick (one timer, no polling); the visible countdown
// re-renders once a second only while the banner is shown.
function Countdown({ until }: { until: Date }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.round((until.getTime() - now) / 1000));
  if (seconds === 0) {
    return <span aria-hidden="true">Your session has ended. Sign in again to keep working.</span>;
  }
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return (
    <span aria-hidden="true">
      Your session ends in{' '}
      <strong>
        {minutes}:{rest}
      </strong>
      . Save your work, then sign in again.
    </span>
  );
}
