import {
  type ArgsOf,
  defineScript,
  type KeysOf,
  runScript,
  type ScriptRunner,
  transitionArgs,
} from './define.js';

/**
 * Ends one ACTIVE session, if it passes the guard: its userId and tokenHash are
 * checked only when `checkUserId` / `checkTokenHash` is '1'. Replies the ended
 * value, or false (nil) when nothing was ended.
 */
export const END = defineScript(
  'end',
  ['session'],
  [
    'id',
    ...transitionArgs('end'),
    'guardUserId',
    'guardTokenHash',
    /** '1' to check guardUserId, '0' not to. */
    'checkUserId',
    /** '1' to check guardTokenHash, '0' not to. */
    'checkTokenHash',
  ],
  `
local v = redis.call('GET', KEY.session)
if not v then return false end
local h, body = split(v)
if h.status ~= 'ACTIVE' then return false end
if ARG.checkUserId == '1' and h.userId ~= ARG.guardUserId then return false end
if ARG.checkTokenHash == '1' and h.tokenHash ~= ARG.guardTokenHash then return false end
local base = base_of(KEY.session, 'sess:' .. ARG.id)
return finish(base, ARG.id, h, body, transition('end'))
`,
);

export async function runEnd(
  run: ScriptRunner,
  keys: KeysOf<typeof END>,
  args: ArgsOf<typeof END>,
): Promise<string | null> {
  const value = await runScript(run, END, keys, args);
  return typeof value === 'string' ? value : null;
}
