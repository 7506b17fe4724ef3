import { createHmac, randomBytes } from 'node:crypto';
import { InvalidInputError } from './errors.js';
import type { SessionKitLogger } from './events.js';

/** Shortest server secret sessionkit accepts (characters). */
export const MIN_SECRET_LENGTH = 32;

/** Environment variables read, in order, when `createSessionManager` gets no `secret`. */
export const SECRET_ENV_VARS = ['SESSIONKIT_SECRET', 'AUTH_SECRET', 'NEXTAUTH_SECRET'] as const;

/**
 * The server-side secret behind everything an outsider must not be able to
 * compute: the user shard of session ids and the tag that authenticates a
 * refresh token's generation.
 */
export interface ServerKeys {
  /** The configured secret, or null (then shards use the legacy unkeyed derivation). */
  secret: string | null;
  /** Authenticates refresh tokens; a per-process random key when no secret is configured. */
  refreshKey: Buffer;
}

// Without a configured secret the refresh-token tags are keyed per process:
// reuse beyond the store's recent window is then only recognised by the
// process that issued the token (fail safe: never a revocation it cannot prove).
// Made on first use, not at import: importing core must not call node:crypto, so
// that on the Edge runtime createSessionManager() can still throw its
// EdgeRuntimeError naming the fix.
let processKey: Buffer | undefined;
let warned = false;

/** Resolves `options.secret`, falling back to the environment, warning once per process when none is set. */
export function resolveServerKeys(option: unknown, logger: SessionKitLogger): ServerKeys {
  let secret: string | null = null;
  if (option !== undefined) {
    if (typeof option !== 'string' || option.length < MIN_SECRET_LENGTH) {
      throw new InvalidInputError(
        `createSessionManager: options.secret must be a string of at least ${MIN_SECRET_LENGTH} characters, e.g. the output of \`openssl rand -base64 32\`.`,
      );
    }
    secret = option;
  } else {
    for (const name of SECRET_ENV_VARS) {
      const value = typeof process === 'undefined' ? undefined : process.env?.[name];
      if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) {
        secret = value;
        break;
      }
    }
  }
  if (secret === null && !warned) {
    warned = true;
    logger.warn(
      `[sessionkit] no server secret: set SESSIONKIT_SECRET (or AUTH_SECRET / NEXTAUTH_SECRET, at least ${MIN_SECRET_LENGTH} characters) or pass createSessionManager({ secret }). Without it session ids reveal a hash of their user id and refresh-token reuse is only recognised by the process that issued the token.`,
    );
  }
  if (secret === null && processKey === undefined) processKey = randomBytes(32);
  return {
    secret,
    refreshKey:
      secret === null
        ? (processKey as Buffer)
        : createHmac('sha256', secret).update('sessionkit:refresh-key').digest(),
  };
}
