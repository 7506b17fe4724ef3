import type { DeviceType, SuspiciousLoginReason } from '@sessionkit/core';

/** Every text `<SessionManagement />` shows or announces; override any of them for i18n. */
export interface SessionManagementLabels {
  title: string;
  loading: string;
  /** Shown when next-auth has no session for this browser. */
  signedOut: string;
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
  /** The button that loads the next page of sessions. */
  showMore: string;
  /** Badge on a sign-in flagged by sessionkit's suspicious-login check, e.g. "Unusual sign-in: new country". */
  unusualSignIn: (reasons: string) => string;
  /** Name of each suspicious-login reason, joined with ", " into `unusualSignIn`. */
  riskReasons: Record<SuspiciousLoginReason, string>;
  /** Badge on a session that passed a step-up verification (e.g. 2FA). */
  verified: string;
  /** Shown when the server wants a fresh verification (403 VERIFICATION_REQUIRED) before signing devices out. */
  verificationRequired: string;
}

/** What `<SessionManagement labels>` takes: any labels, any device type and risk reason names. */
export type SessionManagementLabelOverrides = Partial<
  Omit<SessionManagementLabels, 'deviceTypes' | 'riskReasons'>
> & {
  deviceTypes?: Partial<Record<DeviceType, string>>;
  riskReasons?: Partial<Record<SuspiciousLoginReason, string>>;
};

const devices = (count: number) => (count === 1 ? '1 other device' : `${count} other devices`);

export const defaultSessionManagementLabels: SessionManagementLabels = {
  title: 'Where you’re signed in',
  loading: 'Loading your sessions…',
  signedOut: 'You are signed out. Sign in to see the devices signed in to your account.',
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
  showMore: 'Show more sessions',
  unusualSignIn: (reasons) => `Unusual sign-in: ${reasons}`,
  riskReasons: {
    new_country: 'new country',
    impossible_travel: 'impossible travel',
    login_burst: 'many sign-ins',
  },
  verified: 'Verified',
  verificationRequired:
    'Confirm it’s you first: signing out other devices needs a recent verification, such as a two-factor code.',
};

/** Every text `<KnownDevices />` shows or announces; override any of them for i18n. */
export interface KnownDevicesLabels
  extends Pick<
    SessionManagementLabels,
    'deviceName' | 'unknownBrowser' | 'unknownOs' | 'deviceTypes' | 'location' | 'unknown' | 'retry'
  > {
  title: string;
  loading: string;
  empty: string;
  loadError: string;
  lastSeen: string;
  firstSeen: string;
  /** Visible text of a device's forget button; its accessible name is `forgetLabel`. */
  forget: string;
  forgetLabel: (device: string) => string;
  /** Announced in the live region after a forget succeeds or fails. */
  forgotten: (device: string) => string;
  forgetFailed: (device: string) => string;
}

/** What `<KnownDevices labels>` takes: any labels, and any device type names. */
export type KnownDevicesLabelOverrides = Partial<Omit<KnownDevicesLabels, 'deviceTypes'>> & {
  deviceTypes?: Partial<Record<DeviceType, string>>;
};

export const defaultKnownDevicesLabels: KnownDevicesLabels = {
  ...defaultSessionManagementLabels,
  title: 'Devices you’ve used',
  loading: 'Loading your devices…',
  empty: 'No devices yet.',
  loadError: 'Your devices could not be loaded.',
  lastSeen: 'Last sign-in',
  firstSeen: 'First seen',
  forget: 'Forget',
  forgetLabel: (device) => `Forget ${device}`,
  forgotten: (device) => `Forgot ${device}.`,
  forgetFailed: (device) => `Could not forget ${device}. Try again.`,
};
