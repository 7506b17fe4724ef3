import type { KnownDevice } from '@sessionkit/core';
import { useSession as useNextAuthSession } from 'next-auth/react';
import { useCallback, useEffect, useRef, useState } from 'react';
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
  /** The signed-in session the data belongs to. */
  key: string | null;
  devices: KnownDevice[] | null;
  error: SessionApiError | null;
}

const EMPTY: State = { key: null, devices: null, error: null };
const NO_DEVICES: KnownDevice[] = [];

/**
 * The signed-in user's known devices (kept beyond their sessions), from
 * `createDeviceRouteHandlers`. Loads once signed in.
 *
 * State is keyed on the signed-in session, as `useSession` does: a sign-out,
 * a sign-in as someone else or an account switch in another tab starts from an
 * empty list, a response for an earlier session is dropped, and a failed load
 * never leaves another session's devices on screen.
 *
 * @example
 * const { devices, forgetDevice } = useKnownDevices();
 */
export function useKnownDevices(options: UseKnownDevicesOptions = {}): UseKnownDevicesResult {
  const path = options.basePath ?? DEFAULT_DEVICES_PATH;
  const { status, data } = useNextAuthSession();
  const signedIn = status === 'authenticated';
  const key = signedIn ? sessionKeyOf(data) : null;
  const [state, setState] = useState<State>(EMPTY);
  // The key of the latest render, read by async callbacks when their answer arrives.
  const keyRef = useRef(key);
  keyRef.current = key;

  const refetch = useCallback(async () => {
    const requested = keyRef.current;
    if (requested === null) return;
    try {
      const devices = await fetchDevices(path);
      if (keyRef.current !== requested) return; // answer for an earlier session
      setState({ key: requested, devices, error: null });
    } catch (caught) {
      if (keyRef.current !== requested) return;
      const error = toApiError(caught);
      setState((s) => ({ key: requested, devices: s.key === requested ? s.devices : null, error }));
    }
  }, [path]);

  useEffect(() => {
    // A new session (or none) never sees the previous one's devices.
    setState((s) => (s.key === key ? s : EMPTY));
    if (key !== null) void refetch();
  }, [key, refetch]);

  const forget = useCallback(
    async (deviceId: string) => {
      const requested = keyRef.current;
      if (requested === null) return false;
      const drop = () =>
        setState((s) =>
          s.key === requested
            ? {
                key: s.key,
                devices: s.devices?.filter((d) => d.id !== deviceId) ?? null,
                error: null,
              }
            : s,
        );
      try {
        await forgetDevice(path, deviceId);
      } catch (caught) {
        const error = toApiError(caught);
        // 404: it is already gone, which is what was asked for.
        if (error.status !== 404) {
          setState((s) => (s.key === requested ? { ...s, error } : s));
          return false;
        }
      }
      drop();
      return true;
    },
    [path],
  );

  const current = key !== null && state.key === key ? state : EMPTY;
  return {
    devices: current.devices ?? NO_DEVICES,
    isLoading:
      status === 'loading' || (signedIn && current.devices === null && current.error === null),
    error: current.error,
    refetch,
    forgetDevice: forget,
  };
}

/**
 * What identifies the signed-in session: `session.sessionId` from
 * `withSessionTracking`, or the user when an app does not expose it.
 */
function sessionKeyOf(data: unknown): string {
  const id = (data as { sessionId?: unknown } | null)?.sessionId;
  if (typeof id === 'string' && id !== '') return id;
  return `user:${JSON.stringify((data as { user?: unknown } | null)?.user ?? null)}`;
}
