import type { Session } from '@sessionkit/core';
import { signIn } from 'next-auth/react';
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { DeviceIcon } from './DeviceIcon.js';
import { formatLocation, formatRelative } from './format.js';
import { defaultSessionManagementLabels } from './labels.js';
import {
  DEFAULT_LIMIT_PATH,
  fetchLimitChoices,
  pendingIdFromLocation,
  SESSION_LIMIT_PROVIDER_ID,
} from './limit-client.js';
import { SessionApiError } from './sessions-client.js';
import { STYLES } from './styles.js';

export interface SessionLimitPickerLabels {
  title: string;
  intro: (limit: number) => string;
  loading: string;
  expired: string;
  loadError: string;
  retry: string;
  deviceName: (browser: string, os: string) => string;
  unknownBrowser: string;
  unknownOs: string;
  lastActive: string;
  location: string;
  ipAddress: string;
  unknown: string;
  choose: string;
  chooseLabel: (device: string) => string;
  continuing: (device: string) => string;
  choiceGone: (device: string) => string;
}

export const defaultSessionLimitPickerLabels: SessionLimitPickerLabels = {
  title: 'Too many devices signed in',
  intro: (limit) =>
    `Your account can be signed in on ${limit} device${limit === 1 ? '' : 's'} at once. Sign out one of them to continue on this one.`,
  loading: 'Loading your devices…',
  expired: 'This sign-in has expired. Please sign in again.',
  loadError: 'Your devices could not be loaded.',
  retry: 'Try again',
  // Literals, not references to defaultSessionManagementLabels: a property read
  // at module level would keep that object in bundles that only use useSession.
  deviceName: (browser, os) => `${browser} on ${os}`,
  unknownBrowser: 'Unknown browser',
  unknownOs: 'unknown system',
  lastActive: 'Last active',
  location: 'Location',
  ipAddress: 'IP address',
  unknown: 'Unknown',
  choose: 'Sign out and continue',
  chooseLabel: (device) => `Sign out ${device} and continue here`,
  continuing: (device) => `Signing out ${device} and signing you in…`,
  choiceGone: (device) => `${device} is no longer signed in. Choose another device.`,
};

export interface SessionLimitPickerProps {
  /** The held sign-in's id. @default the page URL's `?pending=` */
  pendingSignInId?: string;
  /** Where `createSessionLimitHandler` is mounted. @default '/api/sessions/limit' */
  basePath?: string;
  /** Where to go once signed in. @default '/' */
  callbackUrl?: string;
  /** Called instead of navigating to `callbackUrl` once signed in. */
  onSignedIn?: (url: string) => void;
  /** Added to the root `<section class="sk-sessions sk-limit">`. */
  className?: string;
  /** Any texts to replace; the rest stay English. */
  labels?: Partial<SessionLimitPickerLabels>;
  /** Locale(s) for relative times. @default the browser's */
  locale?: string | string[];
  /** Level of the title heading. @default 2 */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
  /** Leave out the built-in stylesheet. @default false */
  unstyled?: boolean;
}

type State =
  | { kind: 'loading' }
  | { kind: 'expired' }
  | { kind: 'error' }
  | { kind: 'ready'; sessions: Session[]; limit: number };

/**
 * The page a sign-in held at the session limit (`limitPolicy: 'ask'`) lands
 * on: lists the user's signed-in devices; choosing one signs it out and
 * finishes this sign-in (`signIn('sessionkit-limit', …)` of next-auth, with
 * `sessionLimitProvider` on the server), then goes to `callbackUrl`.
 *
 * @example
 * // app/auth/choose-session/page.tsx ('use client')
 * <SessionLimitPicker callbackUrl="/dashboard" />
 */
export function SessionLimitPicker({
  pendingSignInId,
  basePath = DEFAULT_LIMIT_PATH,
  callbackUrl = '/',
  onSignedIn,
  className,
  labels: overrides,
  locale,
  headingLevel = 2,
  unstyled = false,
}: SessionLimitPickerProps) {
  const labels: SessionLimitPickerLabels = { ...defaultSessionLimitPickerLabels, ...overrides };
  const [pending, setPending] = useState<string | null>(pendingSignInId ?? null);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [busy, setBusy] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  const Heading = `h${headingLevel}` as const;

  // The URL is read after mount, so server and client render the same first frame.
  useEffect(() => {
    setPending(pendingSignInId ?? pendingIdFromLocation());
  }, [pendingSignInId]);

  const load = useCallback(async (): Promise<State> => {
    if (!pending) return { kind: 'expired' };
    try {
      const choices = await fetchLimitChoices(basePath, pending);
      return { kind: 'ready', sessions: choices.sessions, limit: choices.limit };
    } catch (error) {
      const gone =
        error instanceof SessionApiError && (error.status === 404 || error.status === 400);
      return { kind: gone ? 'expired' : 'error' };
    }
  }, [basePath, pending]);

  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    void load().then((next) => {
      if (live) setState(next);
    });
    return () => {
      live = false;
    };
  }, [load]);

  const nameOf = ({ deviceInfo }: Session) =>
    labels.deviceName(
      deviceInfo?.browser || labels.unknownBrowser,
      deviceInfo?.os || labels.unknownOs,
    );

  const choose = async (session: Session) => {
    if (!pending || busy) return;
    const name = nameOf(session);
    setBusy(session.id);
    setAnnouncement(labels.continuing(name));
    const result = (await signIn(SESSION_LIMIT_PROVIDER_ID, {
      pendingSignInId: pending,
      endSessionId: session.id,
      callbackUrl,
      redirect: false,
    }).catch(() => undefined)) as
      | { ok?: boolean; error?: string | null; url?: string | null }
      | undefined;
    if (result && !result.error) {
      const url = result.url ?? callbackUrl;
      if (onSignedIn) onSignedIn(url);
      else window.location.assign(url);
      return;
    }
    // Refused: the device signed out meanwhile (choose again), or the hold is gone.
    const next = await load();
    setBusy(null);
    setState(next);
    headingRef.current?.focus();
    setAnnouncement(next.kind === 'ready' ? labels.choiceGone(name) : '');
  };

  let body: ReactNode;
  if (state.kind === 'loading') {
    body = <p>{labels.loading}</p>;
  } else if (state.kind === 'expired') {
    body = <p role="alert">{labels.expired}</p>;
  } else if (state.kind === 'error') {
    body = (
      <div role="alert">
        <p>{labels.loadError}</p>
        <button type="button" onClick={() => void load().then(setState)}>
          {labels.retry}
        </button>
      </div>
    );
  } else {
    const now = Date.now();
    body = (
      <>
        <p>{labels.intro(state.limit)}</p>
        {/* biome-ignore lint/a11y/noRedundantRoles: Safari drops list semantics once list-style is none */}
        <ul className="sk-sessions__list" role="list">
          {state.sessions.map((session) => {
            const name = nameOf(session);
            const type = session.deviceInfo?.type ?? 'unknown';
            const place = formatLocation(session, locale);
            return (
              <li key={session.id} className="sk-session">
                <DeviceIcon
                  type={type}
                  label={defaultSessionManagementLabels.deviceTypes[type] ?? type}
                />
                <div className="sk-session__body">
                  <p className="sk-session__title">{name}</p>
                  <dl className="sk-session__details">
                    <div>
                      <dt>{labels.lastActive}</dt>
                      <dd>
                        <time dateTime={session.lastActivityAt.toISOString()}>
                          {formatRelative(session.lastActivityAt, now, locale)}
                        </time>
                      </dd>
                    </div>
                    <div>
                      <dt>{labels.location}</dt>
                      <dd>{place || labels.unknown}</dd>
                    </div>
                    <div>
                      <dt>{labels.ipAddress}</dt>
                      <dd>{session.ipAddress ?? labels.unknown}</dd>
                    </div>
                  </dl>
                </div>
                <div className="sk-session__actions">
                  <button
                    type="button"
                    aria-label={labels.chooseLabel(name)}
                    disabled={busy !== null}
                    aria-busy={busy === session.id || undefined}
                    onClick={() => void choose(session)}
                  >
                    {labels.choose}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      </>
    );
  }

  return (
    <section
      className={`sk-sessions sk-limit${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      aria-busy={state.kind === 'loading' || undefined}
    >
      {!unstyled && <style>{STYLES}</style>}
      <Heading id={titleId} ref={headingRef} tabIndex={-1}>
        {labels.title}
      </Heading>
      {body}
      <p role="status" className="sk-sessions__status">
        {announcement}
      </p>
    </section>
  );
}
