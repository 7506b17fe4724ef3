import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/** Removes a known-device entry. Replies 1 if it existed and was not past its purgeAt. */
export const FORGET = defineScript(
  'forget',
  ['devices', 'device'],
  ['deviceId', 'storeNow'],
  `
local old = redis.call('HGET', KEY.device, ARG.deviceId)
redis.call('HDEL', KEY.device, ARG.deviceId)
redis.call('ZREM', KEY.devices, ARG.deviceId)
if not old then return 0 end
local _, purge = device_times(old)
if purge and tonumber(purge) > tonumber(ARG.storeNow) then return 1 end
return 0
`,
);

export async function runForget(
  run: ScriptRunner,
  keys: KeysOf<typeof FORGET>,
  args: ArgsOf<typeof FORGET>,
): Promise<boolean> {
  return (await runScript(run, FORGET, keys, args)) === 1;
}
