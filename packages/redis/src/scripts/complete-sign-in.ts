import { CREATE, CREATE_BODY } from './create.js';
import {
  type ArgsOf,
  defineScript,
  type KeysOf,
  runScript,
  type ScriptRunner,
  transitionArgs,
} from './define.js';

/**
 * Completes a held sign-in (limitPolicy 'ask') in one atomic step: the held
 * sign-in must exist, be the user's and unexpired; the chosen session must be
 * a live session of the user; the user's other live sessions must number fewer
 * than `max`. Then it ends the chosen session, deletes the held sign-in and runs
 * CREATE's own Lua (no limit: it was just checked) to insert the session and
 * remember its device. Replies `{'not_found'}`, `{'choice_invalid'}`,
 * `{'limit_reached', live count}` or `{'created', known device (0/1), ended value}`.
 * Every check comes before the first write: a refusal writes nothing.
 */
export const COMPLETE_SIGN_IN = defineScript(
  'complete-sign-in',
  [...CREATE.keys, 'pending', 'chosen'],
  [
    ...CREATE.args,
    'userId',
    /** Id of the session the user chose to end. */
    'endId',
    /** Most live sessions, counting the new one. */
    'limitMax',
    ...transitionArgs('end'),
  ],
  `
local pv = redis.call('GET', KEY.pending)
if not pv then return {'not_found'} end
local held = cjson.decode(pv)
local check_now = tonumber(ARG.now)
if held.userId ~= ARG.userId or tonumber(held.expiresAt) <= check_now then return {'not_found'} end
local cv = redis.call('GET', KEY.chosen)
if not cv then return {'choice_invalid'} end
local ch, cbody = split(cv)
local check_idle = tonumber(ARG.idle)
if ch.userId ~= ARG.userId or not is_live(ch, check_now, check_idle) then return {'choice_invalid'} end
local others = 0
local check_base = base_of(KEY.session, 'sess:' .. ARG.id)
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEY.active, '(' .. ARG.now, '+inf')) do
  if sid ~= ARG.endId then
    local v = redis.call('GET', check_base .. 'sess:' .. sid)
    if v then
      local h = split(v)
      if is_live(h, check_now, check_idle) then others = others + 1 end
    end
  end
end
if others >= tonumber(ARG.limitMax) then return {'limit_reached', others + 1} end
if redis.call('EXISTS', KEY.session) == 1 then
  return redis.error_reply('ERR sessionkit: a session with this id already exists')
end
local ended = finish(check_base, ARG.endId, ch, cbody, transition('end'))
redis.call('DEL', KEY.pending)
local function create()
${CREATE_BODY}
end
local result = create()
return {'created', result[2], ended}
`,
);

export type CompleteSignInReply =
  | ['not_found']
  | ['choice_invalid']
  | ['limit_reached', number]
  | ['created', 0 | 1, string];

export async function runCompleteSignIn(
  run: ScriptRunner,
  keys: KeysOf<typeof COMPLETE_SIGN_IN>,
  args: ArgsOf<typeof COMPLETE_SIGN_IN>,
): Promise<CompleteSignInReply> {
  return (await runScript(run, COMPLETE_SIGN_IN, keys, args)) as CompleteSignInReply;
}
