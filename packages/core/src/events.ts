import type { Session, SuspiciousLoginReason } from './session.js';

/** Payloads of the manager's events. They carry public sessions, never a secret. */
export interface SessionEvents {
  /** A session was created. */
  created: { session: Session };
  /** A session was created on a device (type + OS + browser) this user was not seen on before. */
  newDevice: { session: Session };
  /** A session was revoked: by revoke(), revokeAll(), the session limit or refresh-token reuse. */
  revoked: { session: Session; reason: string };
  /** A session was ended by logout(). */
  loggedOut: { session: Session };
  /** A session was marked EXPIRED (lazily on read, or by cleanup()). */
  expired: { session: Session };
  /** A create() hit maxSessionsPerUser. `evicted` lists sessions ended to make room. */
  limitExceeded: {
    userId: string;
    limit: number;
    /** `'ask'`: the sign-in was held for the user to choose a session to end. */
    policy: 'revoke-oldest' | 'reject' | 'ask';
    evicted: Session[];
  };
  /** A rotated-out refresh token was presented again; the session was revoked. */
  refreshReuse: { session: Session };
  /** A sign-in looked suspicious. `session` is null when `policy: 'reject'` refused it. */
  suspiciousLogin: {
    userId: string;
    reasons: SuspiciousLoginReason[];
    policy: 'allow' | 'flag' | 'reject' | 'challenge';
    session: Session | null;
  };
  /** A session passed a step-up verification (`markVerified()`). */
  verified: { session: Session; method: string };
}

export type SessionEventName = keyof SessionEvents;

export type SessionEventHandler<E extends SessionEventName> = (
  payload: SessionEvents[E],
) => void | Promise<void>;

export const SESSION_EVENT_NAMES: readonly SessionEventName[] = [
  'created',
  'newDevice',
  'revoked',
  'loggedOut',
  'expired',
  'limitExceeded',
  'refreshReuse',
  'suspiciousLogin',
  'verified',
];

/** Logger used for handler failures; defaults to `console`. */
export interface SessionKitLogger {
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/**
 * A tiny typed emitter. Handlers run after the store write they describe;
 * a throwing or rejecting handler is logged and never breaks the caller.
 */
export class SessionEventEmitter {
  readonly #handlers = new Map<SessionEventName, Set<(payload: never) => unknown>>();
  readonly #logger: SessionKitLogger;

  constructor(logger: SessionKitLogger) {
    this.#logger = logger;
  }

  on<E extends SessionEventName>(event: E, handler: SessionEventHandler<E>): () => void {
    let set = this.#handlers.get(event);
    if (!set) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    set.add(handler as (payload: never) => unknown);
    return () => {
      set.delete(handler as (payload: never) => unknown);
    };
  }

  emit<E extends SessionEventName>(event: E, payload: SessionEvents[E]): void {
    const set = this.#handlers.get(event);
    if (!set) return;
    for (const handler of set) {
      try {
        const result = (handler as SessionEventHandler<E>)(payload);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.#report(event, error));
        }
      } catch (error) {
        this.#report(event, error);
      }
    }
  }

  #report(event: SessionEventName, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#logger.error(`[sessionkit] a '${event}' event handler failed: ${message}`);
  }
}
