import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/**
 * Federated sign-out: removes the members in `remove` (sessions a previous
 * batch found ended or gone), then reads up to `limit` members of the index
 * after `after` and at or below `max` in (createdAt, id) order (ZRANGEBYLEX).
 * `after` and `max` are lex range bounds ('-', '(<member>').
 */
export const FEDERATED_PAGE = defineScript(
  'federatedPage',
  ['index'],
  ['remove', 'after', 'max', 'limit'],
  `
for member in string.gmatch(ARG.remove, '%S+') do redis.call('ZREM', KEY.index, member) end
local limit = tonumber(ARG.limit)
if limit <= 0 then return {} end
return redis.call('ZRANGEBYLEX', KEY.index, ARG.after, ARG.max, 'LIMIT', 0, limit)
`,
);

export async function runFederatedPage(
  run: ScriptRunner,
  keys: KeysOf<typeof FEDERATED_PAGE>,
  args: ArgsOf<typeof FEDERATED_PAGE>,
): Promise<string[]> {
  return (await runScript(run, FEDERATED_PAGE, keys, args)) as string[];
}
