import { createHash } from 'node:crypto';
import { HELPERS } from './helpers.js';

// Every conditional write of the store is one Lua script, so it is atomic and
// costs one round trip. Scripts run by SHA (EVALSHA) and fall back to EVAL once
// per server when the script cache is empty (first call, restart, failover).
//
// A script names its KEYS and ARGV once, in the list next to its Lua: the
// prologue binds them to `KEY.<name>` and `ARG.<name>` in that order, and
// `runScript` builds KEYS and ARGV from named fields in the same order. The
// Lua never reads `KEYS[n]` or `ARGV[n]`, so no index can drift from the caller.

/** One KEYS or ARGV value; ioredis sends numbers as their decimal string. */
export type ScriptArg = string | number;

export interface Script<K extends string = string, A extends string = string> {
  readonly name: string;
  readonly keys: readonly K[];
  readonly args: readonly A[];
  readonly lua: string;
  readonly sha: string;
}

export type KeysOf<S> = S extends Script<infer K, string> ? Record<K, string> : never;
export type ArgsOf<S> = S extends Script<string, infer A> ? Record<A, ScriptArg> : never;

/** Runs a script with its KEYS followed by its ARGV (the store's command gate: EVALSHA, EVAL on NOSCRIPT). */
export type ScriptRunner = (script: Script, keysAndArgs: ScriptArg[]) => Promise<unknown>;

const LUA_KEYWORDS = new Set(
  'and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(
    ' ',
  ),
);

function checkNames(script: string, names: readonly string[]): void {
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || LUA_KEYWORDS.has(name)) {
      throw new Error(`script ${script}: '${name}' is not a Lua field name`);
    }
  }
  if (new Set(names).size !== names.length) throw new Error(`script ${script}: duplicate names`);
}

const table = (names: readonly string[], source: 'KEYS' | 'ARGV') =>
  `{ ${names.map((name, i) => `${name} = ${source}[${i + 1}]`).join(', ')} }`;

export function defineScript<const K extends string, const A extends string>(
  name: string,
  keys: readonly K[],
  args: readonly A[],
  body: string,
): Script<K, A> {
  checkNames(name, keys);
  checkNames(name, args);
  // Bound before the helpers, which read ARG (see `transition`).
  const lua = `local KEY = ${table(keys, 'KEYS')}\nlocal ARG = ${table(args, 'ARGV')}\n${HELPERS}\n${body}`;
  // The SHA-1 on first use, not at import: on the Edge runtime a node:crypto
  // call at import would fail before createSessionManager() can throw its
  // EdgeRuntimeError naming the fix (edge-import.test.ts).
  let sha: string | undefined;
  return {
    name,
    keys,
    args,
    lua,
    get sha() {
      sha ??= createHash('sha1').update(lua).digest('hex');
      return sha;
    },
  };
}

/** Sends `script` with KEYS and ARGV built from named fields, in the order the Lua binds them. */
export function runScript<K extends string, A extends string>(
  run: ScriptRunner,
  script: Script<K, A>,
  keys: Record<K, string>,
  args: Record<A, ScriptArg>,
): Promise<unknown> {
  const values: ScriptArg[] = [];
  for (const key of script.keys) values.push(keys[key]);
  for (const arg of script.args) values.push(args[arg]);
  return run(script, values);
}

/**
 * An end transition as script arguments (see `finish` in the Lua helpers). A
 * script that takes one names its six ARGV fields with one prefix
 * (`transitionArgs('evict')` → `evictStatus`, `evictAt`, …); the Lua reads them back with
 * `transition('evict')`.
 */
export interface TransitionArgs {
  status: string;
  reason: string;
  endedAt: number;
  purgeAt: number;
  /** Relative TTL of the ended record in ms (from the store's clock). */
  ttl: number;
  historyCap: number;
}

const TRANSITION_FIELDS = ['Status', 'Reason', 'At', 'PurgeAt', 'Ttl', 'HistoryCap'] as const;
type TransitionField = (typeof TRANSITION_FIELDS)[number];
export type TransitionArgNames<P extends string> = `${P}${TransitionField}`;

export function transitionArgs<const P extends string>(prefix: P): TransitionArgNames<P>[] {
  return TRANSITION_FIELDS.map((field) => `${prefix}${field}` as const);
}

/** The named fields of `transitionArgs(prefix)` for one transition. */
export function transitionFields<P extends string>(
  prefix: P,
  t: TransitionArgs,
): Record<TransitionArgNames<P>, ScriptArg> {
  return {
    [`${prefix}Status`]: t.status,
    [`${prefix}Reason`]: t.reason,
    [`${prefix}At`]: t.endedAt,
    [`${prefix}PurgeAt`]: t.purgeAt,
    [`${prefix}Ttl`]: t.ttl,
    [`${prefix}HistoryCap`]: t.historyCap,
  } as Record<TransitionArgNames<P>, ScriptArg>;
}
