import type { Command } from 'ioredis';

// The command gate's direct path builds ioredis's own `Command`s. It must not
// import ioredis to get the class: a run-time import puts ioredis's Node.js
// modules (net, tls, dns) into every bundle that imports the store, and an Edge
// middleware bundle then fails on 'net' before createSessionManager() can throw
// its EdgeRuntimeError naming the fix. The client instance does not expose the
// class either (ioredis mixes EventEmitter into its prototype, so
// `client.constructor` is EventEmitter). So the class is read off the client's
// own `get` method: ioredis's command methods build `new Command(...)` and hand
// it to `this.sendCommand`, synchronously. Calling that method with a stand-in
// `this` that only records what it is given yields the class of the very copy
// of ioredis the app's client comes from, without touching the client and
// without any I/O.

export type CommandClass = typeof Command;

/** What the gate relies on in a Command (ioredis 5 and 6). */
function looksLikeCommand(value: unknown): value is { constructor: CommandClass } {
  if (typeof value !== 'object' || value === null) return false;
  const command = value as Record<string, unknown>;
  return (
    command.name === 'get' &&
    typeof command.constructor === 'function' &&
    command.constructor !== Object &&
    typeof (command.promise as Promise<unknown> | undefined)?.then === 'function' &&
    typeof command.reject === 'function' &&
    typeof command.isResolved === 'boolean'
  );
}

/**
 * ioredis's `Command` class as used by `client`, or null when the client is not
 * a standalone ioredis client whose `get` builds one (a wrapper, a mock, a
 * future ioredis that works differently): the gate then takes its general path.
 */
export function commandClassOf(client: object): CommandClass | null {
  // The prototype's method, not the instance's: a Proxy or an instance-level
  // override may forward to the real client, which would send a real GET.
  const get = (Object.getPrototypeOf(client) as { get?: unknown } | null)?.get;
  if (typeof get !== 'function') return null;
  let built: unknown;
  const recorder = {
    options: { enableAutoPipelining: false, autoPipeliningIgnoredCommands: [] },
    isPipeline: false,
    sendCommand(command: unknown) {
      built = command;
      return Promise.resolve(null);
    },
  };
  try {
    get.call(recorder, 'sessionkit:probe');
  } catch {
    return null;
  }
  return looksLikeCommand(built) ? built.constructor : null;
}
