import { type ArgsOf, defineScript, type KeysOf, runScript, type ScriptRunner } from './define.js';

// The claims-refresh mark (`refreshRequestedAt` in the head): a request at
// `at` writes `at`, or one ms past a stored mark that is not earlier, so a new
// request never equals a mark a reader already acted on (memory-store.ts,
// Mongo's and Postgres's requestRefresh do the same).
const MARK = `
local function mark(h, at)
  local stored = h.refreshRequestedAt
  if type(stored) == 'number' and stored >= at then h.refreshRequestedAt = stored + 1
  else h.refreshRequestedAt = at end
end
`;

/**
 * Marks one live session for a claims reload (owned by `ownerUserId` when
 * `checkOwner` is '1'). Replies 1 if it marked.
 */
export const MARK_REFRESH = defineScript(
  'markRefresh',
  ['session'],
  [
    'at',
    'now',
    /** Idle timeout in ms, -1: none. */
    'idle',
    'ownerUserId',
    /** '1' to check ownerUserId, '0' not to. */
    'checkOwner',
  ],
  `${MARK}
local v = redis.call('GET', KEY.session)
if not v then return 0 end
local h, body = split(v)
if not is_live(h, tonumber(ARG.now), tonumber(ARG.idle)) then return 0 end
if ARG.checkOwner == '1' and h.userId ~= ARG.ownerUserId then return 0 end
mark(h, tonumber(ARG.at))
redis.call('SET', KEY.session, cjson.encode(h) .. body, 'KEEPTTL')
return 1
`,
);

/**
 * Marks every live session in the user's active index for a claims reload.
 * The index holds at most the user's session limit of live members (expired
 * ones score at or below `now` and are skipped). Replies how many it marked.
 */
export const MARK_USER_REFRESH = defineScript(
  'markUserRefresh',
  ['active'],
  ['userId', 'at', 'now', 'idle'],
  `${MARK}
local base = base_of(KEY.active, 'active:' .. ARG.userId)
local now = tonumber(ARG.now)
local idle = tonumber(ARG.idle)
local at = tonumber(ARG.at)
local count = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEY.active, '(' .. ARG.now, '+inf')) do
  local key = base .. 'sess:' .. id
  local v = redis.call('GET', key)
  if v then
    local h, body = split(v)
    if h.userId == ARG.userId and is_live(h, now, idle) then
      mark(h, at)
      redis.call('SET', key, cjson.encode(h) .. body, 'KEEPTTL')
      count = count + 1
    end
  end
end
return count
`,
);

/** Clears the mark while it still equals `requestedAt`. Replies 1 if it cleared. */
export const CLEAR_REFRESH = defineScript(
  'clearRefresh',
  ['session'],
  ['requestedAt'],
  `
local v = redis.call('GET', KEY.session)
if not v then return 0 end
local h, body = split(v)
if type(h.refreshRequestedAt) ~= 'number' or h.refreshRequestedAt ~= tonumber(ARG.requestedAt) then
  return 0
end
h.refreshRequestedAt = nil
redis.call('SET', KEY.session, cjson.encode(h) .. body, 'KEEPTTL')
return 1
`,
);

export async function runMarkRefresh(
  run: ScriptRunner,
  keys: KeysOf<typeof MARK_REFRESH>,
  args: ArgsOf<typeof MARK_REFRESH>,
): Promise<number> {
  return Number(await runScript(run, MARK_REFRESH, keys, args));
}

export async function runMarkUserRefresh(
  run: ScriptRunner,
  keys: KeysOf<typeof MARK_USER_REFRESH>,
  args: ArgsOf<typeof MARK_USER_REFRESH>,
): Promise<number> {
  return Number(await runScript(run, MARK_USER_REFRESH, keys, args));
}

export async function runClearRefresh(
  run: ScriptRunner,
  keys: KeysOf<typeof CLEAR_REFRESH>,
  args: ArgsOf<typeof CLEAR_REFRESH>,
): Promise<boolean> {
  return (await runScript(run, CLEAR_REFRESH, keys, args)) === 1;
}
