import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/**
 * Federated sign-out: stores a live session's origin (JSON) beside it, in the
 * session's slot, expiring with the session's `expiresAt`. The (issuer, sid) and
 * (issuer, subject) index entries are written before it (federated-index.ts).
 * Replies 1 if it wrote.
 */
export const LINK_ORIGIN = defineScript(
  'linkOrigin',
  ['session', 'origin'],
  ['value', 'now', 'idle', 'storeNow'],
  `
local v = redis.call('GET', KEY.session)
if not v then return 0 end
local h = split(v)
if not is_live(h, tonumber(ARG.now), tonumber(ARG.idle)) then return 0 end
local ttl = math.max(1, h.expiresAt - tonumber(ARG.storeNow))
redis.call('SET', KEY.origin, ARG.value, 'PX', ttl)
return 1
`,
);

export async function runLinkOrigin(
  run: ScriptRunner,
  keys: KeysOf<typeof LINK_ORIGIN>,
  args: ArgsOf<typeof LINK_ORIGIN>,
): Promise<boolean> {
  return (await runScript(run, LINK_ORIGIN, keys, args)) === 1;
}
