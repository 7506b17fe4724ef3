import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/** Federated sign-out: the origin JSON of a session while it is ACTIVE, or false (nil). */
export const GET_ORIGIN = defineScript(
  'getOrigin',
  ['session', 'origin'],
  [],
  `
local v = redis.call('GET', KEY.session)
if not v then return false end
local h = split(v)
if h.status ~= 'ACTIVE' then return false end
return redis.call('GET', KEY.origin)
`,
);

export async function runGetOrigin(
  run: ScriptRunner,
  keys: KeysOf<typeof GET_ORIGIN>,
  args: ArgsOf<typeof GET_ORIGIN>,
): Promise<string | null> {
  const value = await runScript(run, GET_ORIGIN, keys, args);
  return typeof value === 'string' ? value : null;
}
