// Fetch logic for "why was I signed out?", with no React in it: the hook adapts it.
import type { PublicEndReason } from '@sessionkit/core';
import { isSessionEndReasonCode } from './end-reason-codes.js';

/** Where `createSessionEndReasonHandler` is mounted unless told otherwise. */
export const DEFAULT_END_REASON_PATH = '/api/sessions/end-reason';

/** GET: this browser's last end reason, or null (none, or the route could not be reached). */
export async function fetchEndReason(
  path: string,
  signal?: AbortSignal,
): Promise<PublicEndReason | null> {
  const response = await fetch(path, {
    method: 'GET',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    signal,
  });
  if (!response.ok) return null;
  const body = (await response.json().catch(() => null)) as {
    endReason?: { code?: unknown; message?: unknown } | null;
  } | null;
  const reason = body?.endReason;
  if (!reason || !isSessionEndReasonCode(reason.code) || typeof reason.message !== 'string') {
    return null;
  }
  return { code: reason.code, message: reason.message };
}

/** DELETE: the reason was shown; the server forgets it. Never rejects. */
export async function clearEndReason(path: string): Promise<void> {
  try {
    await fetch(path, { method: 'DELETE', credentials: 'same-origin' });
  } catch {
    // Offline: the cookie expires on its own within minutes.
  }
}
