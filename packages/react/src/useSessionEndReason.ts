import type { PublicEndReason } from '@sessionkit/core';
import { useCallback, useEffect, useState } from 'react';
import { clearEndReason, DEFAULT_END_REASON_PATH, fetchEndReason } from './end-reason-client.js';

export interface UseSessionEndReasonOptions {
  /** Where `createSessionEndReasonHandler` is mounted. @default '/api/sessions/end-reason' */
  basePath?: string;
  /**
   * Forget the reason on the server as soon as it was read, so it shows once
   * (this page keeps it until `dismiss()`). `false`: only `dismiss()` clears it.
   * @default true
   */
  clearOnRead?: boolean;
}

export interface UseSessionEndReasonResult {
  /** Why this browser's last session ended (`{ code, message }`), or null. */
  endReason: PublicEndReason | null;
  isLoading: boolean;
  /** Hides the reason and clears it on the server. Never rejects. */
  dismiss: () => Promise<void>;
}

/**
 * Why this browser was signed out, for the sign-in page: "You were signed out
 * from another device", "Too many devices: your oldest session was ended"…
 * Reads it once from `createSessionEndReasonHandler` (from the signed cookie
 * `withSessionTracking` leaves in this browser). It only ever knows this
 * browser's own last session, as a fixed public code.
 *
 * @example
 * const { endReason } = useSessionEndReason();
 * if (endReason) return <p role="status">{endReason.message}</p>;
 */
export function useSessionEndReason(
  options: UseSessionEndReasonOptions = {},
): UseSessionEndReasonResult {
  const path = options.basePath ?? DEFAULT_END_REASON_PATH;
  const clearOnRead = options.clearOnRead ?? true;
  const [endReason, setEndReason] = useState<PublicEndReason | null>(null);
  const [isLoading, setIsLoading] = useState(true);

  useEffect(() => {
    const controller = new AbortController();
    setIsLoading(true);
    fetchEndReason(path, controller.signal)
      .then((reason) => {
        if (controller.signal.aborted) return;
        setEndReason(reason);
        setIsLoading(false);
        if (reason !== null && clearOnRead) void clearEndReason(path);
      })
      .catch(() => {
        if (controller.signal.aborted) return;
        setIsLoading(false);
      });
    return () => controller.abort();
  }, [path, clearOnRead]);

  const dismiss = useCallback(async () => {
    setEndReason(null);
    await clearEndReason(path);
  }, [path]);

  return { endReason, isLoading, dismiss };
}
