import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/**
 * Records a recent verification on a live session (owned by `ownerUserId` when
 * `checkOwner` is '1'). Replies the new value, or nil.
 */
export const VERIFY = defineScript(
  'verify',
  ['session'],
  [
    'verifiedAt',
    'method',
    'now',
    /** Idle timeout in ms, -1: none. */
    'idle',
    'ownerUserId',
    /** '1' to check ownerUserId, '0' not to. */
    'checkOwner',
  ],
  `
local v = redis.call('GET', KEY.session)
if not v then return false end
local h, body = split(v)
if not is_live(h, tonumber(ARG.now), tonumber(ARG.idle)) then return false end
if ARG.checkOwner == '1' and h.userId ~= ARG.ownerUserId then return false end
h.verification = { verifiedAt = tonumber(ARG.verifiedAt), method = ARG.method }
local value = cjson.encode(h) .. body
redis.call('SET', KEY.session, value, 'KEEPTTL')
return value
`,
);

export async function runVerify(
  run: ScriptRunner,
  keys: KeysOf<typeof VERIFY>,
  args: ArgsOf<typeof VERIFY>,
): Promise<string | null> {
  const value = await runScript(run, VERIFY, keys, args);
  return typeof value === 'string' ? value : null;
}
