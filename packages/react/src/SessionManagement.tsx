import type { Session } from '@sessionkit/core';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { deviceName } from './format.js';
import {
  defaultSessionManagementLabels,
  type SessionManagementLabelOverrides,
  type SessionManagementLabels,
} from './labels.js';
import { SessionItem } from './SessionItem.js';
import { getSessionsStore } from './sessions-client.js';
import { STYLES } from './styles.js';
import { useSession } from './useSession.js';

export interface SessionManagementProps {
  /** Where `createSessionRouteHandlers` is mounted. @default '/api/sessions' */
  basePath?: string;
  /**
   * Refetch the list every this many milliseconds while the page is visible, so
   * a device that signs in elsewhere shows up. `0` turns it off.
   * @default 30_000
   */
  refreshInterval?: number;
  /** Added to the root `<section class="sk-sessions">`. */
  className?: string;
  /** Any texts to replace; the rest stay English. @default defaultSessionManagementLabels */
  labels?: SessionManagementLabelOverrides;
  /** Locale(s) for dates, relative times and country names. @default the browser's */
  locale?: string | string[];
  /** Level of the title heading. @default 2 */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
  /** Leave out the built-in stylesheet (the markup stays readable without it). @default false */
  unstyled?: boolean;
  /**
   * Called when the server refuses to sign devices out until the user passes a
   * fresh step-up verification (403 `VERIFICATION_REQUIRED`, see
   * `requireRecentVerification` in `@sessionkit/next-auth`), e.g. to open your
   * two-factor dialog. Call `retry` once the user verified to repeat the
   * refused action. A message is shown either way.
   */
  onVerificationRequired?: (retry: () => void) => void;
}

/**
 * The signed-in user's sessions, for a settings page: device, browser and OS,
 * IP address, location, last activity, expiry, a "This device" badge; sign out
 * one device (after a confirmation) or all others. Needs next-auth's
 * `<SessionProvider>` above it.
 *
 * @example
 * <SessionManagement className="settings-card" labels={{ title: 'Devices' }} />
 */
export function SessionManagement({
  basePath,
  refreshInterval,
  className,
  labels: overrides,
  locale,
  headingLevel = 2,
  unstyled = false,
  onVerificationRequired,
}: SessionManagementProps) {
  const labels: SessionManagementLabels = {
    ...defaultSessionManagementLabels,
    ...overrides,
    deviceTypes: { ...defaultSessionManagementLabels.deviceTypes, ...overrides?.deviceTypes },
    riskReasons: { ...defaultSessionManagementLabels.riskReasons, ...overrides?.riskReasons },
  };
  const {
    sessions,
    currentSessionId,
    isLoading,
    error,
    fetchSessions,
    hasMoreSessions,
    status,
    ...actions
  } = useSession({ basePath, refreshInterval });
  const [announcement, setAnnouncement] = useState('');
  const [confirmingAll, setConfirmingAll] = useState(false);
  const [needsVerification, setNeedsVerification] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const revokeAllRef = useRef<HTMLButtonElement>(null);
  const cancelAllRef = useRef<HTMLButtonElement>(null);
  const openedAll = useRef(false);
  const titleId = useId();
  const Heading = `h${headingLevel}` as const;

  useEffect(() => {
    if (confirmingAll) cancelAllRef.current?.focus();
    else if (openedAll.current) revokeAllRef.current?.focus();
    openedAll.current = confirmingAll;
  }, [confirmingAll]);

  const current = sessions.filter((s) => s.id === currentSessionId);
  const others = sessions.filter((s) => s.id !== currentSessionId);

  // The row (or button) that had focus is about to disappear: park focus on the
  // heading so keyboard users keep their place, and announce the outcome.
  const revoke = async (session: Session) => {
    const name = deviceName(session, labels);
    headingRef.current?.focus();
    const ok = await actions.revokeSession(session.id);
    if (!ok && refusedForVerification(() => void revoke(session))) return;
    setNeedsVerification(false);
    setAnnouncement(ok ? labels.revoked(name) : labels.revokeFailed(name));
  };

  const revokeAll = async () => {
    const count = others.length;
    openedAll.current = false;
    setConfirmingAll(false);
    headingRef.current?.focus();
    const ok = await actions.revokeAllSessions();
    if (!ok && refusedForVerification(() => void revokeAll())) return;
    setNeedsVerification(false);
    setAnnouncement(ok ? labels.revokedAll(count) : labels.revokeAllFailed);
  };

  // The store keeps why the last request failed: a step-up refusal gets its own
  // message (an alert) and the app's hook, instead of "try again".
  const refusedForVerification = (retry: () => void) => {
    if (getSessionsStore(basePath).getSnapshot().error?.code !== 'VERIFICATION_REQUIRED') {
      return false;
    }
    setAnnouncement('');
    setNeedsVerification(true);
    onVerificationRequired?.(retry);
    return true;
  };

  // The button goes away with the last page: keep keyboard focus in the section.
  const showMore = async () => {
    await actions.fetchMoreSessions();
    if (!getSessionsStore(basePath).getSnapshot().nextCursor) headingRef.current?.focus();
  };

  const onKeyDownAll = (event: KeyboardEvent) => {
    if (event.key === 'Escape') setConfirmingAll(false);
  };

  let body: ReactNode;
  let state: string;
  if (isLoading) {
    state = 'loading';
    body = (
      <>
        <p>{labels.loading}</p>
        <ul className="sk-sessions__skeleton" aria-hidden="true">
          {[0, 1, 2].map((i) => (
            <li key={i}>
              <span className="sk-sessions__bone" />
            </li>
          ))}
        </ul>
      </>
    );
  } else if (status === 'unauthenticated') {
    // Never "No active sessions" for a visitor next-auth sees as signed out
    // (or a <SessionProvider> whose basePath does not match next-auth's).
    state = 'signed-out';
    body = <p>{labels.signedOut}</p>;
  } else if (error && sessions.length === 0) {
    state = 'error';
    body = (
      <div role="alert">
        <p>{labels.loadError}</p>
        <button type="button" onClick={() => void fetchSessions()}>
          {labels.retry}
        </button>
      </div>
    );
  } else if (sessions.length === 0) {
    state = 'empty';
    body = <p>{labels.empty}</p>;
  } else {
    state = 'ready';
    const now = Date.now();
    body = (
      <>
        {/* role="list": Safari drops list semantics once list-style is none. */}
        {/* biome-ignore lint/a11y/noRedundantRoles: see above */}
        <ul className="sk-sessions__list" role="list">
          {[...current, ...others].map((session) => (
            <SessionItem
              key={session.id}
              session={session}
              isCurrent={session.id === currentSessionId}
              labels={labels}
              locale={locale}
              now={now}
              onRevoke={revoke}
            />
          ))}
        </ul>
        {hasMoreSessions && (
          <button type="button" onClick={() => void showMore()}>
            {labels.showMore}
          </button>
        )}
        {others.length > 0 && (
          <div className="sk-sessions__footer">
            {confirmingAll ? (
              <fieldset className="sk-session__actions" onKeyDown={onKeyDownAll}>
                <legend>{labels.confirmRevokeAll(others.length)}</legend>
                <button type="button" data-danger="" onClick={() => void revokeAll()}>
                  {labels.confirmAll}
                </button>
                <button type="button" ref={cancelAllRef} onClick={() => setConfirmingAll(false)}>
                  {labels.cancel}
                </button>
              </fieldset>
            ) : (
              <button
                type="button"
                data-danger=""
                ref={revokeAllRef}
                onClick={() => setConfirmingAll(true)}
              >
                {labels.revokeAll}
              </button>
            )}
          </div>
        )}
      </>
    );
  }

  return (
    <section
      className={className ? `sk-sessions ${className}` : 'sk-sessions'}
      aria-labelledby={titleId}
      aria-busy={isLoading || undefined}
      data-state={state}
    >
      {!unstyled && <style>{STYLES}</style>}
      <Heading id={titleId} ref={headingRef} tabIndex={-1}>
        {labels.title}
      </Heading>
      {body}
      {needsVerification && (
        <p role="alert" className="sk-sessions__notice">
          {labels.verificationRequired}
        </p>
      )}
      <p role="status" className="sk-sessions__status">
        {announcement}
      </p>
    </section>
  );
}
