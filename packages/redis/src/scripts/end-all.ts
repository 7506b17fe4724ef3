import {
  type ArgsOf,
  defineScript,
  type KeysOf,
  runScript,
  type ScriptRunner,
  transitionArgs,
} from './define.js';
import type { PageReply } from './page.js';

/**
 * One bounded batch of revokeAll: ends up to `limit` live sessions of the user
 * after the cursor (created at or before `createdAtOrBefore`, all but
 * `exceptId`). Replies `{next score, next id, ended value...}`.
 */
export const END_ALL = defineScript(
  'endAll',
  // `ended` is not read by the Lua (finish derives it) but declared, so Cluster routes by it too.
  ['active', 'ended'],
  [
    'userId',
    /** '' = none. */
    'exceptId',
    ...transitionArgs('end'),
    'now',
    /** Idle timeout in ms, -1: none. */
    'idle',
    'createdAtOrBefore',
    'limit',
    /** Cursor score, '' = from the top. */
    'afterScore',
    'afterId',
  ],
  `
local base = base_of(KEY.active, 'active:' .. ARG.userId)
local now = tonumber(ARG.now)
local idle = tonumber(ARG.idle)
local created_max = tonumber(ARG.createdAtOrBefore)
local limit = tonumber(ARG.limit)
local ending = transition('end')
local entries = page_desc(KEY.active, ARG.afterScore, ARG.afterId, limit + 1)
local out = {'', ''}
if #entries / 2 > limit then
  out[1] = entries[2 * limit]
  out[2] = entries[2 * limit - 1]
end
for i = 1, math.min(#entries / 2, limit) do
  local id = entries[2 * i - 1]
  -- The index is scored by expiresAt, descending: from here on nothing is live.
  if tonumber(entries[2 * i]) <= now then
    out[1] = ''
    out[2] = ''
    break
  end
  if id ~= ARG.exceptId then
    local v = redis.call('GET', base .. 'sess:' .. id)
    if not v then
      redis.call('ZREM', KEY.active, id)
    else
      local h, body = split(v)
      if h.userId == ARG.userId and h.createdAt <= created_max and is_live(h, now, idle) then
        out[#out + 1] = finish(base, id, h, body, ending)
      end
    end
  end
end
return out
`,
);

export async function runEndAll(
  run: ScriptRunner,
  keys: KeysOf<typeof END_ALL>,
  args: ArgsOf<typeof END_ALL>,
): Promise<PageReply> {
  return (await runScript(run, END_ALL, keys, args)) as PageReply;
}
