import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/**
 * Federated sign-out: adds a session to the (issuer, subject) index and, when
 * the origin has a sid, the (issuer, sid) index. Both keys carry the issuer's
 * hash tag, so they share one Cluster slot and this is one script. Members are
 * `<createdAt, 15 digits>:<session id>` at score 0: lexicographic order is
 * (createdAt, id), the order endFederated walks. Each index lives at least as
 * long as its longest-lived session.
 */
export const FEDERATED_INDEX = defineScript(
  'federatedIndex',
  ['bySubject', 'bySid'],
  ['member', 'ttl', 'hasSid'],
  `
local ttl = tonumber(ARG.ttl)
redis.call('ZADD', KEY.bySubject, 0, ARG.member)
extend(KEY.bySubject, ttl)
if ARG.hasSid == '1' then
  redis.call('ZADD', KEY.bySid, 0, ARG.member)
  extend(KEY.bySid, ttl)
end
return 1
`,
);

export async function runFederatedIndex(
  run: ScriptRunner,
  keys: KeysOf<typeof FEDERATED_INDEX>,
  args: ArgsOf<typeof FEDERATED_INDEX>,
): Promise<void> {
  await runScript(run, FEDERATED_INDEX, keys, args);
}
