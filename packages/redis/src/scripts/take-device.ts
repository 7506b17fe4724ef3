import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/**
 * Shard migration: removes the entries of `deviceKeys` from the legacy shard's
 * device registry and replies the first one found (or nil), for CREATE to carry over.
 */
export const TAKE_DEVICE = defineScript(
  'takeDevice',
  ['devices', 'device'],
  [
    /** Space separated. */
    'deviceKeys',
  ],
  `
local found = false
for key in string.gmatch(ARG.deviceKeys, '%S+') do
  local v = redis.call('HGET', KEY.device, key)
  if v then
    if not found then found = v end
    redis.call('HDEL', KEY.device, key)
    redis.call('ZREM', KEY.devices, key)
  end
end
return found
`,
);

export async function runTakeDevice(
  run: ScriptRunner,
  keys: KeysOf<typeof TAKE_DEVICE>,
  args: ArgsOf<typeof TAKE_DEVICE>,
): Promise<string | null> {
  const value = await runScript(run, TAKE_DEVICE, keys, args);
  return typeof value === 'string' ? value : null;
}
