import type { KnownDevice, Session } from '@sessionkit/core';
import { type ReactNode, useId, useRef, useState } from 'react';
import { DeviceIcon } from './DeviceIcon.js';
import { formatDate, formatLocation, formatRelative } from './format.js';
import {
  defaultKnownDevicesLabels,
  type KnownDevicesLabelOverrides,
  type KnownDevicesLabels,
} from './labels.js';
import { STYLES } from './styles.js';
import { useKnownDevices } from './useKnownDevices.js';

export interface KnownDevicesProps {
  /** Where `createDeviceRouteHandlers` is mounted. @default '/api/sessions/devices' */
  basePath?: string;
  /** Added to the root `<section class="sk-sessions sk-devices">`. */
  className?: string;
  /** Any texts to replace; the rest stay English. @default defaultKnownDevicesLabels */
  labels?: KnownDevicesLabelOverrides;
  /** Locale(s) for dates and relative times. @default the browser's */
  locale?: string | string[];
  /** Level of the title heading. @default 2 */
  headingLevel?: 2 | 3 | 4 | 5 | 6;
  /** Leave out the built-in stylesheet. @default false */
  unstyled?: boolean;
}

/**
 * The devices the signed-in user has used (remembered beyond their sessions),
 * each with a "Forget" button: its next sign-in then counts as a new device.
 * Same look and theming as `<SessionManagement />`.
 *
 * @example
 * <KnownDevices labels={{ title: 'Trusted devices' }} />
 */
export function KnownDevices({
  basePath,
  className,
  labels: overrides,
  locale,
  headingLevel = 2,
  unstyled = false,
}: KnownDevicesProps) {
  const labels: KnownDevicesLabels = {
    ...defaultKnownDevicesLabels,
    ...overrides,
    deviceTypes: { ...defaultKnownDevicesLabels.deviceTypes, ...overrides?.deviceTypes },
  };
  const { devices, isLoading, error, refetch, forgetDevice } = useKnownDevices({ basePath });
  const [announcement, setAnnouncement] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  const Heading = `h${headingLevel}` as const;

  const nameOf = ({ deviceInfo }: KnownDevice) =>
    labels.deviceName(
      deviceInfo?.browser || labels.unknownBrowser,
      deviceInfo?.os || labels.unknownOs,
    );

  // The button is about to disappear: keep keyboard users' place on the heading.
  const forget = async (device: KnownDevice) => {
    const name = nameOf(device);
    headingRef.current?.focus();
    const ok = await forgetDevice(device.id);
    setAnnouncement(ok ? labels.forgotten(name) : labels.forgetFailed(name));
  };

  let body: ReactNode;
  if (isLoading) {
    body = <p>{labels.loading}</p>;
  } else if (error && devices.length === 0) {
    body = (
      <div role="alert">
        <p>{labels.loadError}</p>
        <button type="button" onClick={() => void refetch()}>
          {labels.retry}
        </button>
      </div>
    );
  } else if (devices.length === 0) {
    body = <p>{labels.empty}</p>;
  } else {
    const now = Date.now();
    body = (
      // biome-ignore lint/a11y/noRedundantRoles: Safari drops list semantics once list-style is none
      <ul className="sk-sessions__list" role="list">
        {devices.map((device) => {
          const name = nameOf(device);
          const type = device.deviceInfo?.type ?? 'unknown';
          const place = formatLocation({ location: device.lastLocation } as Session, locale);
          return (
            <li key={device.id} className="sk-session">
              <DeviceIcon
                type={type}
                label={labels.deviceTypes[type] ?? labels.deviceTypes.unknown}
              />
              <div className="sk-session__body">
                <p className="sk-session__title">{name}</p>
                <dl className="sk-session__details">
                  <div>
                    <dt>{labels.lastSeen}</dt>
                    <dd>
                      <time dateTime={device.lastSeenAt.toISOString()}>
                        {formatRelative(device.lastSeenAt, now, locale)}
                      </time>
                    </dd>
                  </div>
                  <div>
                    <dt>{labels.firstSeen}</dt>
                    <dd>
                      <time dateTime={device.firstSeenAt.toISOString()}>
                        {formatDate(device.firstSeenAt, locale)}
                      </time>
                    </dd>
                  </div>
                  <div>
                    <dt>{labels.location}</dt>
                    <dd>{place || labels.unknown}</dd>
                  </div>
                </dl>
              </div>
              <div className="sk-session__actions">
                <button
                  type="button"
                  aria-label={labels.forgetLabel(name)}
                  onClick={() => void forget(device)}
                >
                  {labels.forget}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <section
      className={`sk-sessions sk-devices${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      aria-busy={isLoading || undefined}
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
