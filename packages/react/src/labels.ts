import type { DeviceType } from '@sessionkit/core';

/** Every text `<SessionManagement />` shows or announces; override any of them for i18n. */
export interface SessionManagementLabels {
  title: string;
  loading: string;
  empty: string;
  loadError: string;
  retry: string;
  thisDevice: string;
  /** Name of a device: browser and OS (either may be the `unknown*` label). */
  deviceName: (browser: string, os: string) => string;
  unknownBrowser: string;
  unknownOs: string;
  /** Accessible name of each device icon. */
  deviceTypes: Record<DeviceType, string>;
  ipAddress: string;
  location: string;
  lastActive: string;
  expires: string;
  /** Shown for a missing IP address or location. */
  unknown: string;
  /** Visible text of a session's revoke button; its accessible name is `revokeLabel`. */
  revoke: string;
  revokeLabel: (device: string) => string;
  confirmRevoke: (device: string) => string;
  confirm: string;
  cancel: string;
  revokeAll: string;
  confirmRevokeAll: (count: number) => string;
  confirmAll: string;
  /** Announced in the live region after a revoke succeeds or fails. */
  revoked: (device: string) => string;
  revokeFailed: (device: string) => string;
  revokedAll: (count: number) => string;
  revokeAllFailed: string;
}

/** What `<SessionManagement labels>` takes: any labels, and any device type names. */
export type SessionManagementLabelOverrides = Partial<
  Omit<SessionManagementLabels, 'deviceTypes'>
> & {
  deviceTypes?: Partial<Record<DeviceType, string>>;
};

const devices = (count: number) => (count === 1 ? '1 other device' : `${count} other devices`);

export const defaultSessionManagementLabels: SessionManagementLabels = {
  title: 'Where you’re signed in',
  loading: 'Loading your sessions…',
  empty: 'No active sessions.',
  loadError: 'Your sessions could not be loaded.',
  retry: 'Try again',
  thisDevice: 'This device',
  deviceName: (browser, os) => `${browser} on ${os}`,
  unknownBrowser: 'Unknown browser',
  unknownOs: 'unknown system',
  deviceTypes: {
    desktop: 'Computer',
    mobile: 'Phone',
    tablet: 'Tablet',
    tv: 'TV',
    console: 'Game console',
    wearable: 'Wearable',
    bot: 'Bot',
    unknown: 'Unknown device',
  },
  ipAddress: 'IP address',
  location: 'Location',
  lastActive: 'Last active',
  expires: 'Expires',
  unknown: 'Unknown',
  revoke: 'Sign out',
  revokeLabel: (device) => `Sign out ${device}`,
  confirmRevoke: (device) => `Sign out ${device}? It will have to sign in again.`,
  confirm: 'Yes, sign out',
  cancel: 'Cancel',
  revokeAll: 'Sign out all other devices',
  confirmRevokeAll: (count) => `Sign out ${devices(count)}?`,
  confirmAll: 'Yes, sign out all',
  revoked: (device) => `Signed out ${device}.`,
  revokeFailed: (device) => `Could not sign out ${device}. Try again.`,
  revokedAll: (count) => `Signed out ${devices(count)}.`,
  revokeAllFailed: 'Could not sign out the other devices. Try again.',
};
