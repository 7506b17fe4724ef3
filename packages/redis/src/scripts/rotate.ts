import {
  type ArgsOf,
  defineScript,
  type KeysOf,
  runScript,
  type ScriptRunner,
  transitionArgs,
} from './define.js';

/**
 * Refresh-token rotation. A presented hash that was already retired is reuse:
 * the session ends with the `reuse` transition if it was still live — unless it
 * is the hash rotated out last, at or after `graceSince` (the reuse grace
 * window; -1: strict), which replies `{'grace', value}` and writes nothing.
 * Otherwise replies `{'not_found'}`, `{'reused', value, ended (0/1)}`,
 * `{'inactive', value}` or `{'rotated', value}`.
 */
export const ROTATE = defineScript(
  'rotate',
  ['session'],
  [
    'id',
    'presentedHash',
    'tokenHash',
    'refreshTokenHash',
    'at',
    'now',
    /** Idle timeout in ms, -1: none. */
    'idle',
    'maxRetiredHashes',
    /** Start of the reuse grace window in epoch ms, -1: strict. */
    'graceSince',
    ...transitionArgs('reuse'),
  ],
  `
local v = redis.call('GET', KEY.session)
if not v then return {'not_found'} end
local h, body = split(v)
local presented = ARG.presentedHash
local retiredList = h.retiredRefreshTokenHashes
for i, retired in ipairs(retiredList) do
  if retired == presented then
    if not is_live(h, tonumber(ARG.now), tonumber(ARG.idle)) then return {'reused', v, 0} end
    local since = tonumber(ARG.graceSince)
    if since >= 0 and i == #retiredList and type(h.refreshRotatedAt) == 'number'
      and h.refreshRotatedAt >= since then
      return {'grace', v}
    end
    local base = base_of(KEY.session, 'sess:' .. ARG.id)
    return {'reused', finish(base, ARG.id, h, body, transition('reuse')), 1}
  end
end
if h.refreshTokenHash ~= presented then return {'not_found'} end
if not is_live(h, tonumber(ARG.now), tonumber(ARG.idle)) then return {'inactive', v} end
local retired = h.retiredRefreshTokenHashes
retired[#retired + 1] = presented
local max = tonumber(ARG.maxRetiredHashes)
while #retired > max do table.remove(retired, 1) end
h.tokenHash = ARG.tokenHash
h.refreshTokenHash = ARG.refreshTokenHash
local at = tonumber(ARG.at)
h.refreshRotatedAt = at
if h.lastActivityAt < at then h.lastActivityAt = at end
local value = cjson.encode(h) .. body
redis.call('SET', KEY.session, value, 'KEEPTTL')
return {'rotated', value}
`,
);

export type RotateReply =
  | ['not_found']
  | ['reused', string, 0 | 1]
  | ['inactive', string]
  | ['grace', string]
  | ['rotated', string];

export async function runRotate(
  run: ScriptRunner,
  keys: KeysOf<typeof ROTATE>,
  args: ArgsOf<typeof ROTATE>,
): Promise<RotateReply> {
  return (await runScript(run, ROTATE, keys, args)) as RotateReply;
}
