import {
  type ArgsOf,
  defineScript,
  type KeysOf,
  runScript,
  type ScriptRunner,
  transitionArgs,
} from './define.js';

/**
 * The Lua of CREATE after its prologue; COMPLETE_SIGN_IN (complete-sign-in.ts)
 * runs it too, with the same KEY/ARG names, so both insert a session alike.
 */
export const CREATE_BODY = `
local id = ARG.id
local base = base_of(KEY.session, 'sess:' .. id)
if redis.call('EXISTS', KEY.session) == 1 then
  return redis.error_reply('ERR sessionkit: a session with this id already exists')
end
local now = tonumber(ARG.now)
local result = {'created', 0}
local max = tonumber(ARG.max)
if max > 0 then
  local idle = tonumber(ARG.idle)
  local live = {}
  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEY.active, '(' .. ARG.now, '+inf')) do
    local v = redis.call('GET', base .. 'sess:' .. sid)
    if not v then
      redis.call('ZREM', KEY.active, sid)
    else
      local h, body = split(v)
      if is_live(h, now, idle) then live[#live + 1] = { id = sid, h = h, body = body } end
    end
  end
  if #live >= max then
    if ARG.onExceed == 'reject' then return {'limit_reached', #live} end
    table.sort(live, function(a, b)
      if a.h.createdAt ~= b.h.createdAt then return a.h.createdAt < b.h.createdAt end
      return a.id < b.id
    end)
    local eviction = transition('evict')
    for i = 1, #live - max + 1 do
      local s = live[i]
      result[#result + 1] = finish(base, s.id, s.h, s.body, eviction)
    end
  end
end

local ttl = tonumber(ARG.ttl)
-- The known-device registry: entries past their purgeAt are gone (pruned here, a
-- bounded number per call), the rest are upserted keeping firstSeenAt.
local store_now = tonumber(ARG.storeNow)
for _, stale in ipairs(redis.call('ZRANGEBYSCORE', KEY.devices, '-inf', ARG.storeNow, 'LIMIT', 0, 32)) do
  redis.call('ZREM', KEY.devices, stale)
  redis.call('HDEL', KEY.device, stale)
end
local first, purge = ARG.createdAt, ARG.purgeAt
local old = redis.call('HGET', KEY.device, ARG.deviceKey)
-- A rotated device id: the entry under the first previous key found moves here,
-- and every previous key is forgotten.
for prev in string.gmatch(ARG.previousDeviceKeys, '%S+') do
  if prev ~= ARG.deviceKey then
    local moved = redis.call('HGET', KEY.device, prev)
    if moved then
      if not old then old = moved end
      redis.call('HDEL', KEY.device, prev)
      redis.call('ZREM', KEY.devices, prev)
    end
  end
end
-- Migration: the entry taken from the legacy shard (see TAKE_DEVICE), if any.
if not old and ARG.carriedDevice ~= '' then old = ARG.carriedDevice end
if old then
  local old_first, old_purge = device_times(old)
  if old_purge and tonumber(old_purge) > store_now then
    result[2] = 1
    first = old_first
    if tonumber(old_purge) > tonumber(purge) then purge = old_purge end
  end
end
redis.call('HSET', KEY.device, ARG.deviceKey, first .. ':' .. purge .. ':' .. ARG.deviceBody)
redis.call('ZADD', KEY.devices, purge, ARG.deviceKey)
-- A new device over the cap: forget the devices whose latest session is oldest (lowest purgeAt).
local over = redis.call('ZCARD', KEY.devices) - tonumber(ARG.deviceCap)
if result[2] == 0 and over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEY.devices, 0, over - 1)) do
    redis.call('ZREM', KEY.devices, old)
    redis.call('HDEL', KEY.device, old)
  end
end
extend(KEY.devices, ttl)
extend(KEY.device, ttl)

redis.call('SET', KEY.session, ARG.value, 'PX', ttl)
redis.call('ZADD', KEY.active, ARG.expiresAt, id)
extend(KEY.active, ttl)
prune(KEY.active, base, now, 4)
return result
`;

/**
 * Stores a new session, within the user's session limit (evicting the oldest
 * live sessions or refusing), and upserts its known-device entry in the same
 * atomic step. Replies `{'limit_reached', live count}` or
 * `{'created', known device (0/1), evicted value...}`.
 */
export const CREATE = defineScript(
  'create',
  ['session', 'active', 'devices', 'device'],
  [
    'value',
    'id',
    /** TTL of the session key in ms. */
    'ttl',
    'expiresAt',
    'deviceKey',
    'purgeAt',
    /** The limit's liveness clock (the record's createdAt without a limit). */
    'now',
    /** 0: no limit. */
    'max',
    /** 'reject' or 'revoke-oldest'. */
    'onExceed',
    /** Idle timeout in ms, -1: none. */
    'idle',
    ...transitionArgs('evict'),
    /** The known-device entry's body JSON. */
    'deviceBody',
    'createdAt',
    /** The store's clock, for the device entries' purgeAt. */
    'storeNow',
    'deviceCap',
    /** Space-separated device keys the browser had before (rotated device ids). */
    'previousDeviceKeys',
    /** The entry TAKE_DEVICE moved from the legacy shard, '' for none. */
    'carriedDevice',
  ],
  CREATE_BODY,
);

export type CreateReply = ['limit_reached', number] | ['created', 0 | 1, ...evicted: string[]];

export async function runCreate(
  run: ScriptRunner,
  keys: KeysOf<typeof CREATE>,
  args: ArgsOf<typeof CREATE>,
): Promise<CreateReply> {
  return (await runScript(run, CREATE, keys, args)) as CreateReply;
}
