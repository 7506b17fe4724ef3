import type { KnownDevice } from '@sessionkit/core';
import { useSession as useNextAuthSession } from 'next-auth/react';
import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_DEVICES_PATH, fetchDevices, forgetDevice } from './devices-client.js';
import { type SessionApiError, toApiError } from './sessions-client.js';

export interface UseKnownDevicesOptions {
  /** Where `createDeviceRouteHandlers` is mounted. @default '/api/sessions/devices' */
  basePath?: string;
}

export interface UseKnownDevicesResult {
  /** The devices this user signed in from, most recently seen first; `[]` while loading or signed out. */
  devices: KnownDevice[];
  isLoading: boolean;
  /** The last failed request; cleared by the next success. */
  error: SessionApiError | null;
  /** Reloads the list. Never rejects. */
  refetch: () => Promise<void>;
  /** Forgets a device (its next sign-in counts as new). Resolves to whether it worked; never rejects. */
  forgetDevice: (deviceId: string) => Promise<boolean>;
}

interface State {
  devices: KnownDevice[] | null;
  error: SessionApiError | null;
}

/**
 * The signed-in user's known devices (kept beyond their sessions), from
 * `createDeviceRouteHandlers`. Loads once signed in.
 *
 * @example
 * const { devices, forgetDevice } = useKnownDevices();
 */
export function useKnownDevices(options: UseKnownDevicesOptions = {}): UseKnownDevicesResult {
  const path = options.basePath ?? DEFAULT_DEVICES_PATH;
  const { status } = useNextAuthSession();
  const [state, setState] = useState<State>({ devices: null, error: null });

  const refetch = useCallback(async () => {
    try {
      setState({ devices: await fetchDevices(path), error: null });
    } catch (caught) {
      setState((s) => ({ ...s, error: toApiError(caught) }));
    }
  }, [path]);

  useEffect(() => {
    if (status === 'authenticated') void refetch();
  }, [status, refetch]);

  const forget = useCallback(
    async (deviceId: string) => {
      const drop = () =>
        setState((s) => ({
          devices: s.devices?.filter((d) => d.id !== deviceId) ?? null,
          error: null,
        }));
      try {
        await forgetDevice(path, deviceId);
      } catch (caught) {
        const error = toApiError(caught);
        // 404: it is already gone, which is what was asked for.
        if (error.status !== 404) {
          setState((s) => ({ ...s, error }));
          return false;
        }
      }
      drop();
      return true;
    },
    [path],
  );

  const signedIn = status === 'authenticated';
  return {
    devices: (signedIn && state.devices) || [],
    isLoading: status === 'loading' || (signedIn && state.devices === null && state.error === null),
    error: signedIn ? state.error : null,
    refetch,
    forgetDevice: forget,
  };
}
