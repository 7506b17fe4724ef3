import type { HeadersLike } from './client-ip.js';
import {
  createDeviceId,
  deviceFingerprint,
  isKnownDeviceId,
  KNOWN_DEVICE_ID_FORMAT,
  legacyCookieFingerprint,
} from './device.js';
import { InvalidInputError } from './errors.js';
import { checkUserId } from './input.js';
import type { ManagerContext } from './manager-context.js';
import type { DeviceInfo, KnownDevice } from './session.js';
import { toPublicDevice } from './session-record.js';

/** The known-device keys of one sign-in (see {@link signInDeviceKeys}). */
export interface SignInDeviceKeys {
  /** The key the device's entry is stored under from now on. */
  key: string;
  /** Keys the device may have been known by; the store moves a found entry to `key`. */
  previous: string[];
  /** The device id to hand back for the cookie. */
  nextId: string;
}

/**
 * The known-device key of this sign-in and the keys it was recognised by.
 * A presented device id is never kept: the device gets a new one (returned
 * by create() for the cookie) and its entry moves to the new key, so an id
 * that was learned or planted stops being recognised at the owner's next
 * sign-in. Without an id the look-alike traits key is used as before.
 */
export function signInDeviceKeys(
  userId: string,
  deviceInfo: DeviceInfo,
  headers: HeadersLike | undefined,
  presented: string | null,
): SignInDeviceKeys {
  const nextId = createDeviceId();
  const traits = deviceFingerprint(userId, deviceInfo, headers, null);
  if (presented === null) return { key: traits, previous: [], nextId };
  return {
    key: deviceFingerprint(userId, deviceInfo, headers, nextId),
    previous: [
      deviceFingerprint(userId, deviceInfo, headers, presented),
      legacyCookieFingerprint(userId, presented),
      traits,
    ],
    nextId,
  };
}

/** SessionManager.listDevices: the user's unexpired known devices, most recently seen first. */
export async function listDevices(ctx: ManagerContext, userId: string): Promise<KnownDevice[]> {
  const id = checkUserId('listDevices', userId);
  const devices = await ctx.call('listDevices', () => ctx.o.store.listDevices(id));
  const nowMs = ctx.o.now();
  return devices
    .filter((d) => d.purgeAt.getTime() > nowMs)
    .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
    .map(toPublicDevice);
}

/** SessionManager.forgetDevice. */
export async function forgetDevice(
  ctx: ManagerContext,
  userId: string,
  deviceId: string,
): Promise<boolean> {
  const id = checkUserId('forgetDevice', userId);
  if (!isKnownDeviceId(deviceId)) {
    throw new InvalidInputError(
      `forgetDevice: deviceId must be a device id from listDevices() (${KNOWN_DEVICE_ID_FORMAT}).`,
    );
  }
  return ctx.call('forgetDevice', () => ctx.o.store.forgetDevice(id, deviceId));
}
