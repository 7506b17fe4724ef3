import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/** Records activity at `at` on a live session not touched since `ifLastActivityAtOrBefore`. Replies 1 if it wrote. */
export const TOUCH = defineScript(
  'touch',
  ['session'],
  ['at', 'ifLastActivityAtOrBefore', 'now', 'idle'],
  `
local v = redis.call('GET', KEY.session)
if not v then return 0 end
local h, body = split(v)
local at = tonumber(ARG.at)
if not is_live(h, tonumber(ARG.now), tonumber(ARG.idle)) then return 0 end
if h.lastActivityAt > tonumber(ARG.ifLastActivityAtOrBefore) or h.lastActivityAt >= at then return 0 end
h.lastActivityAt = at
redis.call('SET', KEY.session, cjson.encode(h) .. body, 'KEEPTTL')
return 1
`,
);

export async function runTouch(
  run: ScriptRunner,
  keys: KeysOf<typeof TOUCH>,
  args: ArgsOf<typeof TOUCH>,
): Promise<boolean> {
  return (await runScript(run, TOUCH, keys, args)) === 1;
}
