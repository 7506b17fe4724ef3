import type { Session } from '@sessionkit/core';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { DeviceIcon } from './DeviceIcon.js';
import { deviceName, formatDate, formatLocation, formatRelative } from './format.js';
import type { SessionManagementLabels } from './labels.js';

export interface SessionItemProps {
  session: Session;
  isCurrent: boolean;
  labels: SessionManagementLabels;
  locale: string | string[] | undefined;
  now: number;
  onRevoke: (session: Session) => void;
}

/** One row of `<SessionManagement />`, with its own two-step revoke. */
export function SessionItem({
  session,
  isCurrent,
  labels,
  locale,
  now,
  onRevoke,
}: SessionItemProps) {
  const [confirming, setConfirming] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);
  const name = deviceName(session, labels);
  const type = session.deviceInfo?.type ?? 'unknown';
  const reasons = (session.risk?.reasons ?? []).map((r) => labels.riskReasons[r] ?? r);

  // Opening the confirmation focuses its least destructive button (Cancel), so
  // a repeated Enter cannot revoke; closing it returns focus to the trigger.
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
    else if (opened.current) triggerRef.current?.focus();
    opened.current = confirming;
  }, [confirming]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') setConfirming(false);
  };

  return (
    <li className="sk-session" data-current={isCurrent ? '' : undefined}>
      <DeviceIcon type={type} label={labels.deviceTypes[type] ?? labels.deviceTypes.unknown} />
      <div className="sk-session__body">
        <p className="sk-session__title">
          <span>{name}</span>
          {isCurrent && <span className="sk-session__badge">{labels.thisDevice}</span>}
          {session.verification && (
            <span className="sk-session__badge" data-verified="">
              {labels.verified}
            </span>
          )}
          {reasons.length > 0 && (
            <span className="sk-session__badge" data-risk="">
              <span aria-hidden="true">⚠ </span>
              {labels.unusualSignIn(reasons.join(', '))}
            </span>
          )}
        </p>
        <dl className="sk-session__details">
          <div>
            <dt>{labels.ipAddress}</dt>
            <dd>{session.ipAddress ?? labels.unknown}</dd>
          </div>
          <div>
            <dt>{labels.location}</dt>
            <dd>{formatLocation(session, locale) ?? labels.unknown}</dd>
          </div>
          <div>
            <dt>{labels.lastActive}</dt>
            <dd>
              <time
                dateTime={session.lastActivityAt.toISOString()}
                title={formatDate(session.lastActivityAt, locale)}
              >
                {formatRelative(session.lastActivityAt, now, locale)}
              </time>
            </dd>
          </div>
          <div>
            <dt>{labels.expires}</dt>
            <dd>
              <time dateTime={session.expiresAt.toISOString()}>
                {formatDate(session.expiresAt, locale)}
              </time>
            </dd>
          </div>
        </dl>
      </div>
      {!isCurrent &&
        (confirming ? (
          <fieldset className="sk-session__actions" onKeyDown={onKeyDown}>
            <legend>{labels.confirmRevoke(name)}</legend>
            <button type="button" data-danger="" onClick={() => onRevoke(session)}>
              {labels.confirm}
            </button>
            <button type="button" ref={cancelRef} onClick={() => setConfirming(false)}>
              {labels.cancel}
            </button>
          </fieldset>
        ) : (
          <div className="sk-session__actions">
            <button
              type="button"
              ref={triggerRef}
              aria-label={labels.revokeLabel(name)}
              onClick={() => setConfirming(true)}
            >
              {labels.revoke}
            </button>
          </div>
        ))}
    </li>
  );
}
