import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/**
 * Keeps a held sign-in (limitPolicy 'ask') until it expires: one string key
 * whose value is `{"userId","expiresAt","payload"}` JSON, with a TTL. Refuses
 * to overwrite a key (keys are never reused).
 */
export const HOLD_SIGN_IN = defineScript(
  'hold-sign-in',
  ['pending'],
  [
    /** The JSON value. */
    'value',
    /** TTL in ms. */
    'ttl',
  ],
  `
if not redis.call('SET', KEY.pending, ARG.value, 'PX', ARG.ttl, 'NX') then
  return redis.error_reply('ERR sessionkit: a held sign-in with this key already exists')
end
return 1
`,
);

export async function runHoldSignIn(
  run: ScriptRunner,
  keys: KeysOf<typeof HOLD_SIGN_IN>,
  args: ArgsOf<typeof HOLD_SIGN_IN>,
): Promise<void> {
  await runScript(run, HOLD_SIGN_IN, keys, args);
}
