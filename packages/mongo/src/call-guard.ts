import { SessionKitError, SessionStoreError } from '@sessionkit/core';

/** The store's default bound on every call, as the Redis store's. */
export const DEFAULT_TIMEOUT_MS = 500;

/**
 * What the guard knows about the connection before it sends anything: 'up'
 * sends, 'connecting' waits for it to open (within the call's time), 'down'
 * rejects at once (no command is parked in a queue to run later).
 */
export interface ConnectionGate {
  state(): 'up' | 'connecting' | 'down';
  /** Resolves when a connecting connection opens. */
  opened(): Promise<void>;
  /** Says why the connection is down, for the error message (never the URI: it may hold a password). */
  describe?(): string;
}

/**
 * One store call in flight: its deadline, and whether it has already settled
 * (failed or timed out), after which it must not send anything more.
 */
export class StoreCall {
  /** performance.now() value after which no command of this call is sent. */
  deadline: number;
  settled = false;
  private readonly undos: (() => Promise<unknown>)[] = [];

  /**
   * @param commandTimeout a tighter bound on each command than on the whole
   *   call (cleanup(): many batches, each command request-sized).
   */
  constructor(
    readonly operation: string,
    timeout: number,
    private readonly commandTimeout: number = timeout,
  ) {
    this.deadline = performance.now() + timeout;
  }

  /** ms left for the next command (at least 1: the driver reads 0 as "no limit"). */
  remaining(): number {
    const left = Math.min(this.deadline - performance.now(), this.commandTimeout);
    return Math.max(1, Math.floor(left));
  }

  /** Narrows the deadline of every later command (e.g. to the time left on a lease). */
  narrow(deadline: number): void {
    this.deadline = Math.min(this.deadline, deadline);
  }

  /** Throws instead of sending when the call has settled or its time is up. */
  check(): void {
    if (this.settled) {
      throw new Error(`${this.operation}: the call already failed; no further command is sent`);
    }
    if (performance.now() >= this.deadline) {
      throw new Error(`${this.operation}: out of time before the next command`);
    }
  }

  /**
   * Registers an undo that runs if this call fails, however it fails (a
   * timeout included): e.g. deleting a session whose insert may still land.
   */
  onFailure(undo: () => Promise<unknown>): void {
    this.undos.push(undo);
  }

  /** Marks the call failed and runs its undos (their own errors are swallowed). */
  fail(): void {
    if (this.settled) return;
    this.settled = true;
    for (const undo of this.undos.splice(0)) undo().catch(() => undefined);
  }
}

/** Input errors keep their type; everything else becomes SessionStoreError. */
function toStoreError(operation: string, error: unknown): Error {
  if (error instanceof SessionKitError) return error;
  return new SessionStoreError(`MongoDB ${operation}`, error);
}

/**
 * Runs `body` as one store call bounded by `timeout` ms, whatever the driver
 * does (server selection, a socket that never answers, a connection that is
 * still opening): rejects with SessionStoreError by then, at once while the
 * connection is known to be down, and marks the call settled so that the body
 * sends nothing after its caller was told it failed.
 */
export function guardCall<T>(
  operation: string,
  timeout: number,
  gate: ConnectionGate | undefined,
  body: (call: StoreCall) => Promise<T>,
  commandTimeout: number = timeout,
): Promise<T> {
  const call = new StoreCall(operation, timeout, commandTimeout);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      call.fail();
      reject(
        new SessionStoreError(
          `MongoDB ${operation}`,
          new Error(
            `MongoDB did not answer within ${timeout} ms (server down, unreachable or overloaded?)`,
          ),
        ),
      );
    }, timeout);
    const settle = (error: unknown, value?: T) => {
      clearTimeout(timer);
      if (call.settled) return;
      if (error === undefined) {
        call.settled = true;
        resolve(value as T);
      } else {
        call.fail();
        reject(toStoreError(operation, error));
      }
    };
    const start = async (): Promise<T> => {
      const state = gate?.state() ?? 'up';
      if (state === 'down') {
        throw new Error(
          `the MongoDB connection is down${gate?.describe ? ` (${gate.describe()})` : ''}; nothing was sent`,
        );
      }
      if (state === 'connecting') await gate?.opened();
      return body(call);
    };
    start().then(
      (value) => settle(undefined, value),
      (error: unknown) => settle(error ?? new Error('unknown failure')),
    );
  });
}

/** Argument index of the options object for the driver collection methods the store may call. */
const OPTIONS_AT: Record<string, number> = {
  find: 1,
  findOne: 1,
  countDocuments: 1,
  aggregate: 1,
  insertOne: 1,
  insertMany: 1,
  bulkWrite: 1,
  deleteOne: 1,
  deleteMany: 1,
  distinct: 2,
  updateOne: 2,
  updateMany: 2,
  replaceOne: 2,
  findOneAndUpdate: 2,
  findOneAndDelete: 1,
  findOneAndReplace: 2,
};

/** Reads always go to the primary, whatever the connection's read preference. */
const READS = new Set(['find', 'findOne', 'countDocuments', 'aggregate', 'distinct']);

/**
 * The collection as seen by one call: each command first checks that the call
 * is still running and in time, then goes out with the driver's per-operation
 * `timeoutMS` set to the time left (the driver then also sends `maxTimeMS`, so
 * the server abandons the work too) and, for reads, `readPreference:
 * 'primary'`. Options the store passes win over nothing but these defaults.
 */
export function boundCollection<C extends object>(collection: C, call: StoreCall): C {
  return new Proxy(collection, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || typeof value !== 'function' || !(key in OPTIONS_AT)) {
        return value;
      }
      const at = OPTIONS_AT[key] as number;
      return (...args: unknown[]) => {
        call.check();
        const given = (args[at] as Record<string, unknown> | undefined) ?? {};
        const options: Record<string, unknown> = { ...given, timeoutMS: call.remaining() };
        if (READS.has(key)) options.readPreference = 'primary';
        const next = [...args];
        while (next.length < at) next.push(undefined);
        next[at] = options;
        return (value as (...a: unknown[]) => unknown).apply(target, next);
      };
    },
  });
}
