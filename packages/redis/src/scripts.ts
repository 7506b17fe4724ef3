import { createHash } from 'node:crypto';

// Every conditional write of the store is one Lua script, so it is atomic and
// costs one round trip. Scripts run by SHA (EVALSHA) and fall back to EVAL once
// per server when the script cache is empty (first call, restart, failover).
//
// A session value is `<head JSON>\n<body JSON>`. The head holds the fields a
// script reads or writes (status, times, hashes, userId) and is re-encoded with
// cjson; the body (ip, user agent, device, location, metadata) passes through
// byte for byte, so cjson never touches caller data. JSON never contains a raw
// newline, so the first `\n` always separates the two.
//
// Keys a script derives (session keys from index members, index keys from a
// record's userId) share the hash tag of the keys it was given, so they live in
// the same Redis Cluster slot. Their base is taken from a declared key, which
// keeps them right when the client adds its own `keyPrefix`.

const HELPERS = `
local function split(v)
  local i = string.find(v, '\\n', 1, true)
  return cjson.decode(string.sub(v, 1, i - 1)), string.sub(v, i)
end

local function is_live(h, now, idle)
  if h.status ~= 'ACTIVE' or h.expiresAt <= now then return false end
  if idle >= 0 and h.lastActivityAt + idle <= now then return false end
  return true
end

-- An index lives at least as long as its longest-lived member.
local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end

-- Drops up to n of the lowest-scored members whose session key Redis already expired.
local function prune(zkey, base, max_score, n)
  local ids = redis.call('ZRANGEBYSCORE', zkey, '-inf', max_score, 'LIMIT', 0, n)
  for _, id in ipairs(ids) do
    if redis.call('EXISTS', base .. 'sess:' .. id) == 0 then redis.call('ZREM', zkey, id) end
  end
end

-- Writes an end transition: new head, new TTL, moves the id from the active to the ended index.
local function finish(base, id, h, body, status, reason, ended_at, purge_at, ttl)
  h.status = status
  h.endReason = reason
  h.endedAt = ended_at
  h.purgeAt = purge_at
  local value = cjson.encode(h) .. body
  redis.call('SET', base .. 'sess:' .. id, value, 'PX', ttl)
  redis.call('ZREM', base .. 'active:' .. h.userId, id)
  local ended = base .. 'ended:' .. h.userId
  redis.call('ZADD', ended, ended_at, id)
  extend(ended, ttl)
  prune(ended, base, '+inf', 2)
  return value
end

-- A known-device entry is '<firstSeenAt>:<purgeAt>:<body JSON>' (epoch ms); the body passes through.
local function device_times(v)
  return string.match(v, '^(%d+):(%d+):')
end

local function base_of(key, suffix)
  return string.sub(key, 1, #key - #suffix)
end
`;

// KEYS: session, active index, device index, device entries
// ARGV: value, id, ttl, expiresAt, deviceKey, purgeAt, now, max (0: no limit), onExceed,
//       idle (-1: none), eviction status, reason, endedAt, purgeAt, ttl,
//       device entry body, createdAt, store now, previous device keys (space separated),
//       device entry carried over from the legacy shard ('' for none)
const CREATE = `
local id = ARGV[2]
local base = base_of(KEYS[1], 'sess:' .. id)
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('ERR sessionkit: a session with this id already exists')
end
local now = tonumber(ARGV[7])
local result = {'created', 0}
local max = tonumber(ARGV[8])
if max > 0 then
  local idle = tonumber(ARGV[10])
  local live = {}
  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[7], '+inf')) do
    local v = redis.call('GET', base .. 'sess:' .. sid)
    if not v then
      redis.call('ZREM', KEYS[2], sid)
    else
      local h, body = split(v)
      if is_live(h, now, idle) then live[#live + 1] = { id = sid, h = h, body = body } end
    end
  end
  if #live >= max then
    if ARGV[9] == 'reject' then return {'limit_reached', #live} end
    table.sort(live, function(a, b)
      if a.h.createdAt ~= b.h.createdAt then return a.h.createdAt < b.h.createdAt end
      return a.id < b.id
    end)
    for i = 1, #live - max + 1 do
      local s = live[i]
      result[#result + 1] = finish(base, s.id, s.h, s.body, ARGV[11], ARGV[12],
        tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15]))
    end
  end
end

local ttl = tonumber(ARGV[3])
-- The known-device registry: entries past their purgeAt are gone (pruned here, a
-- bounded number per call), the rest are upserted keeping firstSeenAt.
local store_now = tonumber(ARGV[18])
for _, stale in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[18], 'LIMIT', 0, 32)) do
  redis.call('ZREM', KEYS[3], stale)
  redis.call('HDEL', KEYS[4], stale)
end
local first, purge = ARGV[17], ARGV[6]
local old = redis.call('HGET', KEYS[4], ARGV[5])
-- A rotated device id: the entry under the first previous key found moves here,
-- and every previous key is forgotten.
for prev in string.gmatch(ARGV[19], '%S+') do
  if prev ~= ARGV[5] then
    local moved = redis.call('HGET', KEYS[4], prev)
    if moved then
      if not old then old = moved end
      redis.call('HDEL', KEYS[4], prev)
      redis.call('ZREM', KEYS[3], prev)
    end
  end
end
-- Migration: the entry taken from the legacy shard (see TAKE_DEVICE), if any.
if not old and ARGV[20] ~= '' then old = ARGV[20] end
if old then
  local old_first, old_purge = device_times(old)
  if old_purge and tonumber(old_purge) > store_now then
    result[2] = 1
    first = old_first
    if tonumber(old_purge) > tonumber(purge) then purge = old_purge end
  end
end
redis.call('HSET', KEYS[4], ARGV[5], first .. ':' .. purge .. ':' .. ARGV[16])
redis.call('ZADD', KEYS[3], purge, ARGV[5])
extend(KEYS[3], ttl)
extend(KEYS[4], ttl)

redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], ARGV[4], id)
extend(KEYS[2], ttl)
prune(KEYS[2], base, now, 4)
return result
`;

// KEYS: active index, ended index
// ARGV: userId, want ACTIVE ('1'/'0'), ended statuses wanted (space separated, may be empty)
const LIST = `
local base = base_of(KEYS[1], 'active:' .. ARGV[1])
local out = {}
local function collect(zkey, needles)
  local ids = redis.call('ZRANGE', zkey, 0, -1)
  local n = #ids
  local first = 1
  while first <= n do
    local last = math.min(first + 499, n)
    local keys = {}
    for i = first, last do keys[#keys + 1] = base .. 'sess:' .. ids[i] end
    local values = redis.call('MGET', unpack(keys))
    for j = 1, #keys do
      local v = values[j]
      if not v then
        redis.call('ZREM', zkey, ids[first + j - 1])
      else
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
    first = last + 1
  end
end
if ARGV[2] == '1' then collect(KEYS[1], { '"status":"ACTIVE"' }) end
if ARGV[3] ~= '' then
  local needles = {}
  for status in string.gmatch(ARGV[3], '%S+') do needles[#needles + 1] = '"status":"' .. status .. '"' end
  collect(KEYS[2], needles)
end
return out
`;

// KEYS: index; ARGV: userId, index kind, ids a read found without a session key
const PRUNE = `
local base = base_of(KEYS[1], ARGV[2] .. ':' .. ARGV[1])
for i = 3, #ARGV do
  if redis.call('EXISTS', base .. 'sess:' .. ARGV[i]) == 0 then redis.call('ZREM', KEYS[1], ARGV[i]) end
end
return 0
`;

// KEYS: session
// ARGV: id, at, ifLastActivityAtOrBefore, now, idle
const TOUCH = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local h, body = split(v)
local at = tonumber(ARGV[2])
if not is_live(h, tonumber(ARGV[4]), tonumber(ARGV[5])) then return 0 end
if h.lastActivityAt > tonumber(ARGV[3]) or h.lastActivityAt >= at then return 0 end
h.lastActivityAt = at
redis.call('SET', KEYS[1], cjson.encode(h) .. body, 'KEEPTTL')
return 1
`;

// KEYS: session
// ARGV: id, status, reason, endedAt, purgeAt, ttl, guard userId, guard tokenHash ('' = unchecked, flags in 9/10)
const END = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local h, body = split(v)
if h.status ~= 'ACTIVE' then return false end
if ARGV[9] == '1' and h.userId ~= ARGV[7] then return false end
if ARGV[10] == '1' and h.tokenHash ~= ARGV[8] then return false end
local base = base_of(KEYS[1], 'sess:' .. ARGV[1])
return finish(base, ARGV[1], h, body, ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
`;

// KEYS: active index, ended index
// ARGV: userId, except id ('' = none), status, reason, endedAt, purgeAt, ttl, now, idle
const END_ALL = `
local base = base_of(KEYS[1], 'active:' .. ARGV[1])
local now = tonumber(ARGV[8])
local idle = tonumber(ARGV[9])
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[8], '+inf')) do
  if id ~= ARGV[2] then
    local v = redis.call('GET', base .. 'sess:' .. id)
    if not v then
      redis.call('ZREM', KEYS[1], id)
    else
      local h, body = split(v)
      if is_live(h, now, idle) then
        out[#out + 1] = finish(base, id, h, body, ARGV[3], ARGV[4], tonumber(ARGV[5]),
          tonumber(ARGV[6]), tonumber(ARGV[7]))
      end
    end
  end
end
prune(KEYS[1], base, now, 4)
return out
`;

// KEYS: session
// ARGV: id, presentedHash, tokenHash, refreshTokenHash, at, now, idle, maxRetiredHashes,
//       reuse status, reason, endedAt, purgeAt, ttl
const ROTATE = `
local v = redis.call('GET', KEYS[1])
if not v then return {'not_found'} end
local h, body = split(v)
local presented = ARGV[2]
for _, retired in ipairs(h.retiredRefreshTokenHashes) do
  if retired == presented then
    if not is_live(h, tonumber(ARGV[6]), tonumber(ARGV[7])) then return {'reused', v, 0} end
    local base = base_of(KEYS[1], 'sess:' .. ARGV[1])
    return {'reused', finish(base, ARGV[1], h, body, ARGV[9], ARGV[10], tonumber(ARGV[11]),
      tonumber(ARGV[12]), tonumber(ARGV[13])), 1}
  end
end
if h.refreshTokenHash ~= presented then return {'not_found'} end
if not is_live(h, tonumber(ARGV[6]), tonumber(ARGV[7])) then return {'inactive', v} end
local retired = h.retiredRefreshTokenHashes
retired[#retired + 1] = presented
local max = tonumber(ARGV[8])
while #retired > max do table.remove(retired, 1) end
h.tokenHash = ARGV[3]
h.refreshTokenHash = ARGV[4]
local at = tonumber(ARGV[5])
if h.lastActivityAt < at then h.lastActivityAt = at end
local value = cjson.encode(h) .. body
redis.call('SET', KEYS[1], value, 'KEEPTTL')
return {'rotated', value}
`;

// KEYS: device index, device entries (of the legacy shard)
// ARGV: device keys (space separated)
// Removes the entries and returns the first one found, to carry it to the new shard.
const TAKE_DEVICE = `
local found = false
for key in string.gmatch(ARGV[1], '%S+') do
  local v = redis.call('HGET', KEYS[2], key)
  if v then
    if not found then found = v end
    redis.call('HDEL', KEYS[2], key)
    redis.call('ZREM', KEYS[1], key)
  end
end
return found
`;

// KEYS: device index, device entries
// ARGV: deviceId, store now
const FORGET = `
local old = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if not old then return 0 end
local _, purge = device_times(old)
if purge and tonumber(purge) > tonumber(ARGV[2]) then return 1 end
return 0
`;

// KEYS: session
// ARGV: verifiedAt, method, now, idle, owner userId, check owner ('1'/'0')
const VERIFY = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local h, body = split(v)
if not is_live(h, tonumber(ARGV[3]), tonumber(ARGV[4])) then return false end
if ARGV[6] == '1' and h.userId ~= ARGV[5] then return false end
h.verification = { verifiedAt = tonumber(ARGV[1]), method = ARGV[2] }
local value = cjson.encode(h) .. body
redis.call('SET', KEYS[1], value, 'KEEPTTL')
return value
`;

export interface Script {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, numberOfKeys: number, body: string): Script {
  const lua = `${HELPERS}\n${body}`;
  return { name, numberOfKeys, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

export const SCRIPTS = {
  create: script('create', 4, CREATE),
  list: script('list', 2, LIST),
  prune: script('prune', 1, PRUNE),
  touch: script('touch', 1, TOUCH),
  end: script('end', 1, END),
  endAll: script('endAll', 2, END_ALL),
  rotate: script('rotate', 1, ROTATE),
  forget: script('forget', 2, FORGET),
  takeDevice: script('takeDevice', 2, TAKE_DEVICE),
  verify: script('verify', 1, VERIFY),
} as const;
