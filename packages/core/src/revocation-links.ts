import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from './errors.js';
import { isSessionId } from './token.js';

export interface RevocationLinkOptions {
  /** HMAC secret, at least 32 characters (e.g. your NEXTAUTH_SECRET / AUTH_SECRET). */
  secret: string;
  /** How long a link works, in ms. @default 7 days */
  expiresIn?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

export interface RevocationLinks {
  /** A URL-safe token naming one session, for a "this wasn't me" link in an email. */
  create(sessionId: string): string;
  /** The session id a token names, or null when it is forged, malformed or expired. */
  verify(token: string): string | null;
}

/**
 * Signed "this wasn't me" tokens for new-device and suspicious-login emails. A
 * token names one session and nothing secret; it only lets its holder revoke that
 * session. Serve it behind a page with a confirm button (POST), not a GET that
 * revokes: mail scanners follow links.
 */
export function createRevocationLinks(options: RevocationLinkOptions): RevocationLinks {
  if (!options || typeof options.secret !== 'string' || options.secret.length < 32) {
    throw new InvalidInputError(
      'createRevocationLinks: secret must be a string of at least 32 characters, e.g. process.env.AUTH_SECRET.',
    );
  }
  const expiresIn = options.expiresIn ?? 7 * 24 * 3_600_000;
  if (!Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new InvalidInputError(
      'createRevocationLinks: expiresIn must be a positive number of milliseconds.',
    );
  }
  const now = options.now ?? Date.now;
  const sign = (payload: string) =>
    createHmac('sha256', options.secret).update(`sessionkit:not-me:${payload}`).digest('base64url');

  return {
    create(sessionId) {
      if (!isSessionId(sessionId)) {
        throw new InvalidInputError('createRevocationLinks: create() needs a session id.');
      }
      const payload = `${sessionId}.${(now() + expiresIn).toString(36)}`;
      return `${payload}.${sign(payload)}`;
    },
    verify(token) {
      if (typeof token !== 'string' || token.length > 200) return null;
      const parts = token.split('.');
      // Exactly id.expiry.signature: a token with extra `.segments` after the
      // signature is not the one we signed, however valid its prefix is.
      if (parts.length !== 3) return null;
      const [sessionId, expiry, signature] = parts;
      if (!sessionId || !expiry || !signature || !isSessionId(sessionId)) return null;
      const expected = Buffer.from(sign(`${sessionId}.${expiry}`));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const until = Number.parseInt(expiry, 36);
      return Number.isFinite(until) && until > now() ? sessionId : null;
    },
  };
}
