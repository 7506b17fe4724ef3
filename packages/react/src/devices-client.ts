// Fetch logic for the known-devices API (createDeviceRouteHandlers), no React.
import type { KnownDevice } from '@sessionkit/core';
import { isRecord, SessionApiError, send } from './sessions-client.js';

/** Where `createDeviceRouteHandlers` is mounted unless told otherwise. */
export const DEFAULT_DEVICES_PATH = '/api/sessions/devices';

/** `GET` the caller's known devices, dates revived. */
export async function fetchDevices(path: string): Promise<KnownDevice[]> {
  const body = await send('GET', path);
  if (!isRecord(body) || !Array.isArray(body.devices)) {
    throw new SessionApiError(
      'BAD_RESPONSE',
      'The devices API did not answer { devices }. Is createDeviceRouteHandlers mounted at this path?',
      200,
    );
  }
  return body.devices.filter(isRecord).map((raw) => ({
    ...(raw as unknown as KnownDevice),
    firstSeenAt: new Date(raw.firstSeenAt as string),
    lastSeenAt: new Date(raw.lastSeenAt as string),
  }));
}

/** `DELETE ?deviceId=`: forget one device. */
export async function forgetDevice(path: string, deviceId: string): Promise<void> {
  await send('DELETE', `${path}?deviceId=${encodeURIComponent(deviceId)}`);
}
