import mongoose, { type Connection } from 'mongoose';
import type { ConnectionGate } from './call-guard.js';

// mongoose's Connection.readyState values.
const CONNECTED = 1;
const CONNECTING = 2;

/**
 * The guard's view of a mongoose connection. mongoose tracks the driver's
 * monitoring: a standalone server that stops answering heartbeats, or a
 * replica set without a reachable primary, turns the connection
 * 'disconnected' until the driver reconnects on its own, and then 'connected'
 * again. While disconnected the store sends nothing and fails at once.
 */
export function connectionGate(connection: Connection): ConnectionGate {
  // A connection that was never opened (no client yet: the app calls
  // `mongoose.connect()` later, e.g. lazily per request) is not "down": a call
  // waits for it to open, within its timeout, as mongoose's buffering did.
  let firstOpen: Promise<void> | null = null;
  const neverOpened = () => (connection as { client?: unknown }).client == null;
  return {
    state() {
      const state = connection.readyState as number;
      if (state === CONNECTED) return 'up';
      if (state === CONNECTING || neverOpened()) return 'connecting';
      return 'down';
    },
    opened() {
      // The initial connect's own promise rejects at once if that connect fails.
      if ((connection.readyState as number) === CONNECTING) {
        return connection.asPromise().then(() => undefined);
      }
      // One listener for all the calls waiting, however many.
      firstOpen ??= new Promise<void>((resolve) => {
        connection.once('connected', () => {
          firstOpen = null;
          resolve();
        });
      });
      return firstOpen;
    },
    describe: () =>
      `mongoose readyState ${String(connection.readyState)}; the driver reconnects by itself once the server answers`,
  };
}

/** Backoff before reopening a `uri` connection whose first connect failed: 0.5 s doubling to 30 s. */
export const RECONNECT_MIN_MS = 500;
export const RECONNECT_MAX_MS = 30_000;

export function reconnectDelay(failures: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.max(0, failures - 1));
}

interface UriEntry {
  /** null after a failed first connect, until the next attempt. */
  connection: Connection | null;
  failures: number;
  retryAt: number;
  lastError: string;
}

// Connections opened from `uri`, kept on globalThis so that a Next.js dev
// server re-evaluating this module on hot reload reuses them instead of
// opening a new pool on every edit.
const CONNECTIONS_KEY = Symbol.for('@sessionkit/mongo:uri-connections');

function cache(): Map<string, UriEntry> {
  const holder = globalThis as typeof globalThis & { [CONNECTIONS_KEY]?: Map<string, UriEntry> };
  let entries = holder[CONNECTIONS_KEY];
  if (!entries) {
    entries = new Map();
    holder[CONNECTIONS_KEY] = entries;
  }
  return entries;
}

/**
 * The connection for `uri`, shared per process. mongoose gives up for good on
 * a connection whose FIRST connect fails (it closes the client; later commands
 * never reach a server), so such a connection is dropped and the next call
 * after a backoff opens a new one. A connection that opened once reconnects by
 * itself (the driver's monitoring) and is kept.
 */
export class UriConnection {
  constructor(
    private readonly uri: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current connection, opening a new one if the last failed and its backoff has passed; null while backing off. */
  current(): Connection | null {
    const entries = cache();
    let entry = entries.get(this.uri);
    if (!entry) {
      entry = { connection: null, failures: 0, retryAt: 0, lastError: '' };
      entries.set(this.uri, entry);
    }
    if (entry.connection) return entry.connection;
    if (this.now() < entry.retryAt) return null;
    const connection = mongoose.createConnection(this.uri);
    const opened = entry;
    opened.connection = connection;
    connection.asPromise().then(
      () => {
        opened.failures = 0;
      },
      (error: unknown) => {
        // Forget it: the next call after the backoff connects afresh.
        if (opened.connection === connection) opened.connection = null;
        opened.failures++;
        opened.retryAt = this.now() + reconnectDelay(opened.failures);
        opened.lastError = error instanceof Error ? error.name : 'unknown error';
        // destroy(), not close(): also drops it from mongoose.connections, so
        // that failed attempts do not pile up there.
        connection.destroy().catch(() => undefined);
      },
    );
    return connection;
  }

  /** Why there is no connection right now (for the store's error message; never the URI). */
  describe(): string {
    const entry = cache().get(this.uri);
    if (!entry) return 'not connected';
    const wait = Math.max(0, entry.retryAt - this.now());
    return `the first connect failed (${entry.lastError}, ${entry.failures} time(s)); the next attempt is in ${wait} ms`;
  }
}

/** For tests: forget every cached `uri` connection (closing them). */
export async function closeUriConnections(): Promise<void> {
  const entries = cache();
  const open = [...entries.values()].map((e) => e.connection).filter((c) => c !== null);
  entries.clear();
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
}
