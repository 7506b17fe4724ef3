import {
  type ArgsOf,
  defineScript,
  type KeysOf,
  runScript,
  type ScriptRunner,
  transitionArgs,
} from './define.js';

/**
 * Federated sign-out: ends one session an identity provider ended, in the
 * session's own slot, when its recorded origin matches (issuer, and sid /
 * subject where given: '' = not checked), it is live and was created at or
 * before `createdAtOrBefore`. Replies {'ended', value}; {'gone'} when the
 * session can never match again (ended, not live, no origin: drop the index
 * entry); {'keep'} otherwise.
 */
export const END_FEDERATED = defineScript(
  'endFederated',
  ['session', 'origin'],
  [
    'id',
    'issuer',
    'sid',
    'subject',
    'now',
    /** Idle timeout in ms, -1: none. */
    'idle',
    'createdAtOrBefore',
    ...transitionArgs('end'),
  ],
  `
local v = redis.call('GET', KEY.session)
local o = redis.call('GET', KEY.origin)
if not v or not o then return {'gone'} end
local h, body = split(v)
if not is_live(h, tonumber(ARG.now), tonumber(ARG.idle)) then return {'gone'} end
local origin = cjson.decode(o)
if origin.issuer ~= ARG.issuer then return {'keep'} end
if ARG.sid ~= '' and origin.sid ~= ARG.sid then return {'keep'} end
if ARG.subject ~= '' and origin.subject ~= ARG.subject then return {'keep'} end
if h.createdAt > tonumber(ARG.createdAtOrBefore) then return {'keep'} end
local base = base_of(KEY.session, 'sess:' .. ARG.id)
local value = finish(base, ARG.id, h, body, transition('end'))
redis.call('DEL', KEY.origin)
return {'ended', value}
`,
);

export type EndFederatedReply = ['ended', string] | ['gone'] | ['keep'];

export async function runEndFederated(
  run: ScriptRunner,
  keys: KeysOf<typeof END_FEDERATED>,
  args: ArgsOf<typeof END_FEDERATED>,
): Promise<EndFederatedReply> {
  return (await runScript(run, END_FEDERATED, keys, args)) as EndFederatedReply;
}
