import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

/**
 * One listing page of an index (active or ended), newest first: up to `limit`
 * records after the cursor whose head status is one of `statuses`. Members
 * whose session Redis already expired are dropped from the index on the way.
 * Replies `{next score, next id, value...}`; next score '' when the index is exhausted.
 */
export const PAGE = defineScript(
  'page',
  ['index'],
  [
    /** '<kind>:<userId>': the index key's suffix, to derive the session keys' base. */
    'indexSuffix',
    'limit',
    /** Cursor score, '' = from the top. */
    'afterScore',
    'afterId',
    /** Wanted statuses, space separated. */
    'statuses',
  ],
  `
local base = base_of(KEY.index, ARG.indexSuffix)
local limit = tonumber(ARG.limit)
local needles = {}
for status in string.gmatch(ARG.statuses, '%S+') do needles[#needles + 1] = '"status":"' .. status .. '"' end
local entries = page_desc(KEY.index, ARG.afterScore, ARG.afterId, limit + 1)
local n = math.min(#entries / 2, limit)
local out = {'', ''}
if #entries / 2 > limit then
  out[1] = entries[2 * limit]
  out[2] = entries[2 * limit - 1]
end
if n == 0 then return out end
local keys = {}
for i = 1, n do keys[i] = base .. 'sess:' .. entries[2 * i - 1] end
local values = redis.call('MGET', unpack(keys))
for i = 1, n do
  local v = values[i]
  if not v then
    redis.call('ZREM', KEY.index, entries[2 * i - 1])
  else
    -- The status is matched in the head only (the body holds caller data).
    local head_end = string.find(v, '\\n', 1, true)
    for _, needle in ipairs(needles) do
      local at = string.find(v, needle, 1, true)
      if at and at < head_end then
        out[#out + 1] = v
        break
      end
    end
  end
end
return out
`,
);

/** `{next score, next id, value...}` (also END_ALL's reply). */
export type PageReply = [score: string, id: string, ...values: string[]];

export async function runPage(
  run: ScriptRunner,
  keys: KeysOf<typeof PAGE>,
  args: ArgsOf<typeof PAGE>,
): Promise<PageReply> {
  return (await runScript(run, PAGE, keys, args)) as PageReply;
}
