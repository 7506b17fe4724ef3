// TEMPORARY copy of @sessionkit/core's createRevocationLinks
// (packages/core/src/revocation-links.ts): the core package does not export it
// from its entry point yet. Once it does, delete this file and import
// `createRevocationLinks` from '@sessionkit/core' in lib/notifications.ts.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isSessionId } from '@sessionkit/core';

export interface RevocationLinks {
  create(sessionId: string): string;
  verify(token: string): string | null;
}

export function createRevocationLinks(options: {
  secret: string;
  expiresIn?: number;
  now?: () => number;
}): RevocationLinks {
  if (options.secret.length < 32) throw new Error('secret must have at least 32 characters');
  const expiresIn = options.expiresIn ?? 7 * 24 * 3_600_000;
  const now = options.now ?? Date.now;
  const sign = (payload: string) =>
    createHmac('sha256', options.secret).update(`sessionkit:not-me:${payload}`).digest('base64url');
  return {
    create(sessionId) {
      if (!isSessionId(sessionId)) throw new Error('create() needs a session id');
      const payload = `${sessionId}.${(now() + expiresIn).toString(36)}`;
      return `${payload}.${sign(payload)}`;
    },
    verify(token) {
      if (typeof token !== 'string' || token.length > 200) return null;
      const [sessionId, expiry, signature] = token.split('.');
      if (!sessionId || !expiry || !signature || !isSessionId(sessionId)) return null;
      const expected = Buffer.from(sign(`${sessionId}.${expiry}`));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const until = Number.parseInt(expiry, 36);
      return Number.isFinite(until) && until > now() ? sessionId : null;
    },
  };
}
