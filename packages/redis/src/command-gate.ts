import { type CommandClass, commandClassOf } from './command-class.js';
import type { Script, ScriptArg, ScriptRunner } from './scripts/define.js';

// The store never hands ioredis a command it would park in its offline queue:
// a queued command still runs once the connection is back, long after its call
// failed (a session the caller was told was not created, or a refresh rotation
// the client never saw, which would then read as token reuse). While a
// connection attempt is in progress (startup, lazyConnect) calls wait for it,
// up to `timeout`; while the connection is down they fail at once. Every call
// settles within `timeout` (plus one sweep tick), whatever the client's own
// retry, queue and timeout settings are.

/** The slice of the ioredis API the gate uses; `Redis` and `Cluster` both have it. */
export interface GateClient {
  readonly status: string;
  readonly isCluster?: boolean;
  readonly options?: { keyPrefix?: unknown; enableAutoPipelining?: unknown };
  /** A standalone ioredis client's socket (absent on Cluster). */
  readonly stream?: {
    readonly writable?: boolean;
    cork?(): void;
    uncork?(): void;
  };
  connect(): Promise<void>;
  once(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  sendCommand(command: unknown): Promise<unknown>;
  get(key: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  evalsha(sha: string, numberOfKeys: number, ...args: ScriptArg[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: ScriptArg[]): Promise<unknown>;
}

/** The commands the store sends. */
export type CommandName = 'get' | 'hgetall' | 'evalsha' | 'eval';

/** What the gate reads of an ioredis `Command` (ioredis 5 and 6). */
interface IoredisCommand {
  readonly promise: Promise<unknown>;
  readonly isResolved: boolean;
  /** ioredis 6: also true once rejected. */
  readonly isSettled?: boolean;
  reject(error: Error): void;
}

export interface CommandGate {
  /**
   * Sends one command when the client can take it, or rejects: at once while
   * the connection is down, at `deadline` (performance.now() ms) at the latest.
   */
  send<T>(name: CommandName, args: ScriptArg[], operation?: string, deadline?: number): Promise<T>;
  /** Runs a script by SHA, sending its source once when the server's script cache lacks it. */
  script: ScriptRunner;
}

const CONNECTING = new Set(['wait', 'connecting', 'connect']);

export function createCommandGate(client: GateClient, timeout: number): CommandGate {
  const standalone = !('nodes' in client) && client.isCluster !== true;
  const keyPrefix = client.options?.keyPrefix;

  // The fast path, taken while a standalone client is ready (the hot path of
  // validate(): one GET). The gate builds ioredis's own Command, writes it with
  // sendCommand and keeps it in a list ordered by send time; the sweeper
  // rejects the command itself when its deadline passes. The caller awaits the
  // command's own promise: no promise, closure or set entry of the gate's own
  // per call. Not with autopipelining (its commands go through a pipeline, not
  // sendCommand). The Command class comes from the client itself, never from an
  // import of ioredis (command-class.ts says why); a client it cannot be read
  // from takes the general path, with the same deadlines.
  const CommandOfClient: CommandClass | null =
    standalone && client.options?.enableAutoPipelining !== true ? commandClassOf(client) : null;
  const direct = CommandOfClient !== null;
  const friendlyStacks = (client.options as { showFriendlyErrorStack?: unknown } | undefined)
    ?.showFriendlyErrorStack;
  const sent: (IoredisCommand | undefined)[] = [];
  const sentDeadlines: number[] = [];
  const sentOperations: string[] = [];
  let sentHead = 0;
  const settled = (command: IoredisCommand) => command.isResolved || command.isSettled === true;

  function sendDirect<T>(
    name: CommandName,
    args: ScriptArg[],
    operation: string,
    deadline: number,
  ) {
    // The options ioredis's own `client.get()` builds its Command with.
    const command = new (CommandOfClient as CommandClass)(name, args, {
      replyEncoding: 'utf8',
      keyPrefix: keyPrefix as string | undefined,
      errorStack: friendlyStacks ? new Error() : undefined,
    }) as unknown as IoredisCommand;
    // A standalone connection answers in order: the oldest entries are
    // normally the settled ones, dropped here so the list holds about the
    // commands in flight.
    while (sentHead < sent.length && settled(sent[sentHead] as IoredisCommand)) {
      sent[sentHead++] = undefined;
    }
    if (sentHead === sent.length) {
      sent.length = 0;
      sentDeadlines.length = 0;
      sentOperations.length = 0;
      sentHead = 0;
    }
    sent.push(command);
    sentDeadlines.push(deadline);
    sentOperations.push(operation);
    startSweeper();
    coalesceWrites();
    return client.sendCommand(command) as Promise<T>;
  }

  // Commands sent in the same tick leave in one socket write. Under load the
  // replies to many requests arrive in one read, and each request's next
  // command is sent from its own continuation: ioredis writes each one to the
  // socket at once, one system call per command, which was the largest single
  // cost of a lookup on the client. The socket is corked on the first command
  // of a tick and uncorked when the tick's microtasks have run (nextTick queued
  // from a microtask runs after them), so they go out as one writev; no command
  // waits longer than the current tick.
  let corked: { uncork?(): void } | null = null;
  const uncorkWrites = () => {
    const stream = corked;
    corked = null;
    stream?.uncork?.();
  };
  function coalesceWrites() {
    if (corked !== null) return;
    const stream = client.stream;
    if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return;
    stream.cork();
    corked = stream;
    process.nextTick(uncorkWrites);
  }

  // The general path: Cluster, a client still connecting, autopipelining. A
  // call is a promise of the gate's own, settled by the command or by the sweeper.
  const waiting = new Set<() => void>();
  const onReady = () => {
    const ready = [...waiting];
    waiting.clear();
    for (const send of ready) send();
  };
  interface InFlight {
    deadline: number;
    operation: string;
    send: () => void;
    reject: (error: Error) => void;
  }
  const inFlight = new Set<InFlight>();

  const late = (operation: string) =>
    new Error(
      `Redis did not answer ${operation} within ${timeout} ms (server down or overloaded?)`,
    );

  // One sweeper for all calls in flight instead of a timer per call: a call
  // rejects between `timeout` and `timeout + tick` ms.
  const tick = Math.max(1, Math.min(50, Math.floor(timeout / 10)));
  let sweeper: ReturnType<typeof setInterval> | undefined;
  function startSweeper() {
    if (sweeper !== undefined) return;
    sweeper = setInterval(sweep, tick);
    sweeper.unref();
  }
  function sweep() {
    const at = performance.now();
    let kept = 0;
    for (let i = sentHead; i < sent.length; i++) {
      const command = sent[i] as IoredisCommand;
      if (settled(command)) continue;
      if ((sentDeadlines[i] as number) <= at) {
        command.reject(late(sentOperations[i] as string));
        continue;
      }
      sent[kept] = command;
      sentDeadlines[kept] = sentDeadlines[i] as number;
      sentOperations[kept] = sentOperations[i] as string;
      kept++;
    }
    sent.length = kept;
    sentDeadlines.length = kept;
    sentOperations.length = kept;
    sentHead = 0;
    for (const call of inFlight) {
      if (call.deadline > at) continue;
      inFlight.delete(call);
      if (waiting.delete(call.send) && waiting.size === 0) client.off('ready', onReady);
      call.reject(late(call.operation));
    }
    if (inFlight.size === 0 && sent.length === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }

  function sendGuarded<T>(
    name: CommandName,
    args: ScriptArg[],
    operation: string,
    deadline: number,
    status: string,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: InFlight = {
        deadline,
        operation,
        reject,
        send: () => {
          if (!inFlight.has(pending)) return;
          // Sent from the 'ready' event: still a live connection.
          const method = client[name] as (...a: ScriptArg[]) => Promise<T>;
          method.apply(client, args).then(
            (value) => {
              inFlight.delete(pending);
              resolve(value);
            },
            (error: unknown) => {
              inFlight.delete(pending);
              reject(error);
            },
          );
        },
      };
      inFlight.add(pending);
      startSweeper();
      if (status === 'ready') return pending.send();
      if (waiting.size === 0) client.once('ready', onReady);
      waiting.add(pending.send);
      // A lazyConnect client connects on its first command; this gate sends none until ready.
      if (status === 'wait') client.connect().catch(() => {});
    });
  }

  function send<T>(
    name: CommandName,
    args: ScriptArg[],
    operation: string = name,
    deadline: number = performance.now() + timeout,
  ): Promise<T> {
    let status = client.status;
    // ioredis notices a dropped socket a moment after it stops being writable;
    // a command sent in between would go to the offline queue.
    if (status === 'ready' && standalone && client.stream?.writable === false) status = 'closing';
    if (status === 'ready' && direct) return sendDirect<T>(name, args, operation, deadline);
    if (status !== 'ready' && !CONNECTING.has(status)) {
      return Promise.reject(
        new Error(`Redis connection is ${status}; ${operation} was not sent (server down?)`),
      );
    }
    return sendGuarded<T>(name, args, operation, deadline, status);
  }

  async function script(script: Script, keysAndArgs: ScriptArg[]): Promise<unknown> {
    const deadline = performance.now() + timeout;
    const numberOfKeys = script.keys.length;
    try {
      return await send(
        'evalsha',
        [script.sha, numberOfKeys, ...keysAndArgs],
        script.name,
        deadline,
      );
    } catch (error) {
      // Empty script cache (first call, restart, failover): send the source once,
      // through the gate again and within the same deadline.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return send('eval', [script.lua, numberOfKeys, ...keysAndArgs], script.name, deadline);
      }
      throw error;
    }
  }

  return { send, script };
}
