// Fetch logic for the held sign-in's choices (createSessionLimitHandler), no React.
import type { Session } from '@sessionkit/core';
import { isRecord, SessionApiError, send } from './sessions-client.js';

/** Where `createSessionLimitHandler` is mounted unless told otherwise. */
export const DEFAULT_LIMIT_PATH = '/api/sessions/limit';

/** The provider id of `sessionLimitProvider` (@sessionkit/next-auth). */
export const SESSION_LIMIT_PROVIDER_ID = 'sessionkit-limit';

export interface SessionLimitChoices {
  sessions: Session[];
  limit: number;
  expiresAt: Date;
}

/** `GET <path>?pending=<id>`: the live sessions to choose from, dates revived. */
export async function fetchLimitChoices(
  path: string,
  pendingSignInId: string,
): Promise<SessionLimitChoices> {
  const body = await send('GET', `${path}?pending=${encodeURIComponent(pendingSignInId)}`);
  if (!isRecord(body) || !Array.isArray(body.sessions)) {
    throw new SessionApiError(
      'BAD_RESPONSE',
      'The session-limit API did not answer { sessions }. Is createSessionLimitHandler mounted at this path?',
      200,
    );
  }
  return {
    sessions: body.sessions.filter(isRecord).map((raw) => ({
      ...(raw as unknown as Session),
      createdAt: new Date(raw.createdAt as string),
      lastActivityAt: new Date(raw.lastActivityAt as string),
      expiresAt: new Date(raw.expiresAt as string),
      endedAt: raw.endedAt ? new Date(raw.endedAt as string) : null,
    })),
    limit: typeof body.limit === 'number' ? body.limit : body.sessions.length,
    expiresAt: new Date(String(body.expiresAt)),
  };
}

/** The held sign-in's id from the page URL (`?pending=`), or null. */
export function pendingIdFromLocation(): string | null {
  if (typeof window === 'undefined') return null;
  return new URLSearchParams(window.location.search).get('pending');
}
