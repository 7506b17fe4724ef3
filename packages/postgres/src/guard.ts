import {
  InvalidInputError,
  isWellFormedText,
  SessionKitError,
  SessionStoreError,
} from '@sessionkit/core';
import type { PgPool, PgPoolClient, PgQueryable, PgResult } from './pool.js';
import { createStatementNames } from './prepared-statements.js';

/** The store's default bound on every call, as the Redis and Mongo stores'. */
export const DEFAULT_TIMEOUT_MS = 500;

/** Runs one statement of the current call. */
export type Exec = <Row = Record<string, unknown>>(
  text: string,
  values?: unknown[],
) => Promise<PgResult<Row>>;

interface CallState {
  /** Set when the call's time ran out: no further statement is sent. */
  timedOut: boolean;
  deadline: number;
}

export interface Guard {
  /** One statement, bounded by the timeout. */
  run<Row = Record<string, unknown>>(
    operation: string,
    text: string,
    values: unknown[],
  ): Promise<PgResult<Row>>;
  /** Several single statements (each atomic on its own), bounded together. */
  call<T>(operation: string, body: (exec: Exec) => Promise<T>): Promise<T>;
  /** A transaction on one checked-out client, with `statement_timeout` set locally. */
  transaction<T>(
    operation: string,
    body: (exec: Exec) => Promise<{ rollback: boolean; value: T }>,
  ): Promise<T>;
}

/**
 * Fail closed and fast. Each store call races a timer of `timeout` ms and fails
 * with `SessionStoreError` when it fires, whatever the driver is doing (a dead
 * server, a pool with no free client, a lock wait). Underneath, the database
 * gives up too: transactions run with `SET LOCAL statement_timeout`, and every
 * statement carries node-postgres' `query_timeout`, after which the pool
 * destroys that connection instead of reusing it.
 */
export function createGuard(
  pool: PgPool,
  timeout: number,
  options: { preparedStatements?: boolean } = {},
): Guard {
  const statements = createStatementNames(options.preparedStatements ?? true);
  const bounded = async <T>(
    operation: string,
    body: (state: CallState) => Promise<T>,
  ): Promise<T> => {
    const state: CallState = { timedOut: false, deadline: performance.now() + timeout };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        state.timedOut = true;
        reject(new SessionStoreError(operation, new Error(`no answer within ${timeout} ms`)));
      }, timeout);
    });
    try {
      return await Promise.race([
        body(state).catch((error: unknown) => {
          throw error instanceof SessionKitError ? error : new SessionStoreError(operation, error);
        }),
        timedOut,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  const execOn =
    (target: PgQueryable, state: CallState, operation: string): Exec =>
    async <Row>(text: string, values: unknown[] = []) => {
      const left = Math.floor(state.deadline - performance.now());
      if (state.timedOut || left < 1) {
        throw new Error(`${operation}: out of time before the next statement`);
      }
      checkText(values);
      return (await target.query({ text, values, query_timeout: left })) as PgResult<Row>;
    };

  return {
    // The hot path (get on every validate, touch): one statement straight on the
    // pool, with one timer and one promise of our own. The generic `bounded`
    // (a race, a state object, a closure per statement) cost ~1.9 µs per get
    // against ~0.1 µs for the bare driver call, measured with a pool that
    // answers at once; this path holds the same two bounds: our timer, and
    // node-postgres' `query_timeout` so a late connection is destroyed.
    run: <Row>(operation: string, text: string, values: unknown[]) =>
      new Promise<PgResult<Row>>((resolve, reject) => {
        checkText(values);
        const deadline = performance.now() + timeout;
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          reject(new SessionStoreError(operation, new Error(`no answer within ${timeout} ms`)));
        }, timeout);
        const succeed = (result: PgResult<unknown>) => {
          clearTimeout(timer);
          if (!settled) resolve(result as PgResult<Row>);
        };
        const fail = (error: unknown) => {
          clearTimeout(timer);
          if (!settled) reject(new SessionStoreError(operation, error));
        };
        const send = (name: string | undefined, queryTimeout: number) =>
          pool.query({ name, text, values, query_timeout: queryTimeout });
        send(statements.nameOf(text), timeout).then(succeed, (error: unknown) => {
          // The server lost or refused the named statement (a transaction-mode
          // pooler, DEALLOCATE ALL, a changed table): the store stops naming
          // statements and this call is sent once more, unnamed, in its own time.
          const left = Math.floor(deadline - performance.now());
          if (settled || !statements.giveUpOn(error) || left < 1) return fail(error);
          send(undefined, left).then(succeed, fail);
        });
      }),

    call: (operation, body) => bounded(operation, (state) => body(execOn(pool, state, operation))),

    transaction: (operation, body) =>
      bounded(operation, async (state) => {
        const client: PgPoolClient = await pool.connect();
        let broken: Error | undefined;
        // A checked-out node-postgres client whose server dies emits 'error'; with
        // no listener that would crash the process. The failure already reaches
        // the caller through the pending query, so the event itself is dropped.
        const onError = (error: Error) => {
          broken ??= error;
        };
        client.on?.('error', onError);
        try {
          if (state.timedOut) throw new Error(`${operation}: out of time before BEGIN`);
          // `timeout` is a validated integer: safe to inline (SET takes no parameters).
          await client.query(
            `BEGIN; SET LOCAL statement_timeout = ${timeout}; SET LOCAL lock_timeout = ${timeout}`,
          );
          const exec = execOn(client, state, operation);
          const { rollback, value } = await body(exec);
          await exec(rollback ? 'ROLLBACK' : 'COMMIT');
          return value;
        } catch (error) {
          broken = error instanceof Error ? error : new Error(String(error));
          throw error;
        } finally {
          // A failed or late transaction's connection is in an unknown state: destroy it
          // (closing it rolls the transaction back; no ROLLBACK that could itself hang).
          client.off?.('error', onError);
          client.release(broken ?? (state.timedOut ? true : undefined));
        }
      }),
  };
}

/**
 * Text PostgreSQL cannot hold faithfully is refused before it is sent: the
 * driver encodes a lone surrogate as U+FFFD (so `"u-\ud800"` would address user
 * `"u-\ufffd"`), and a NUL byte is rejected by the server as an error that would
 * otherwise read as "store unavailable".
 */
function checkText(values: readonly unknown[]): void {
  for (const value of values) {
    if (Array.isArray(value)) checkText(value);
    else if (typeof value === 'string' && (!isWellFormedText(value) || value.includes('\0'))) {
      throw new InvalidInputError(
        'An id or text field holds a lone UTF-16 surrogate or a NUL character, which PostgreSQL cannot store. Pass well-formed text.',
      );
    }
  }
}
