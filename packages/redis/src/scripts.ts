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

-- Writes an end transition: new head, new TTL, moves the id from the active to the ended index,
-- then drops the user's oldest ended sessions beyond the history cap (usually one at most).
local function finish(base, id, h, body, status, reason, ended_at, purge_at, ttl, cap)
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
  local over = redis.call('ZCARD', ended) - cap
  if over > 0 then
    for _, old in ipairs(redis.call('ZRANGE', ended, 0, over - 1)) do
      redis.call('DEL', base .. 'sess:' .. old)
    end
    redis.call('ZREMRANGEBYRANK', ended, 0, over - 1)
  end
  return value
end

-- Up to n index entries after the cursor (at, after_id) in descending (score, member)
-- order, as {id, score, id, score, ...}; at == '' starts from the top. While the
-- cursor's member is still in the index (always for the ended index, whose scores
-- tie for every session one revokeAll ended), its rank locates the page in
-- O(log N). Otherwise the members that tie on the cursor's score are read, at most
-- TIE_MAX of them (sessions created in the same millisecond), then lower scores.
local TIE_MAX = 1000
local function page_desc(zkey, at, after_id, n)
  if at == '' then
    return redis.call('ZREVRANGEBYSCORE', zkey, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, n)
  end
  local score = redis.call('ZSCORE', zkey, after_id)
  if score and tonumber(score) == tonumber(at) then
    local rank = redis.call('ZREVRANK', zkey, after_id)
    return redis.call('ZREVRANGE', zkey, rank + 1, rank + n, 'WITHSCORES')
  end
  local out = {}
  local ties = redis.call('ZREVRANGEBYSCORE', zkey, at, at, 'WITHSCORES', 'LIMIT', 0, TIE_MAX)
  for i = 1, #ties, 2 do
    if ties[i] < after_id and #out < 2 * n then
      out[#out + 1] = ties[i]
      out[#out + 1] = ties[i + 1]
    end
  end
  if #out < 2 * n then
    local rest = redis.call('ZREVRANGEBYSCORE', zkey, '(' .. at, '-inf', 'WITHSCORES', 'LIMIT', 0, n - #out / 2)
    for i = 1, #rest do out[#out + 1] = rest[i] end
  end
  return out
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
//       idle (-1: none), eviction status, reason, endedAt, purgeAt, ttl, history cap,
//       device entry body, createdAt, store now, device cap, previous device keys (space
//       separated), device entry carried over from the legacy shard ('' for none)
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
        tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16]))
    end
  end
end

local ttl = tonumber(ARGV[3])
-- The known-device registry: entries past their purgeAt are gone (pruned here, a
-- bounded number per call), the rest are upserted keeping firstSeenAt.
local store_now = tonumber(ARGV[19])
for _, stale in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[19], 'LIMIT', 0, 32)) do
  redis.call('ZREM', KEYS[3], stale)
  redis.call('HDEL', KEYS[4], stale)
end
local first, purge = ARGV[18], ARGV[6]
local old = redis.call('HGET', KEYS[4], ARGV[5])
-- A rotated device id: the entry under the first previous key found moves here,
-- and every previous key is forgotten.
for prev in string.gmatch(ARGV[21], '%S+') do
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
if not old and ARGV[22] ~= '' then old = ARGV[22] end
if old then
  local old_first, old_purge = device_times(old)
  if old_purge and tonumber(old_purge) > store_now then
    result[2] = 1
    first = old_first
    if tonumber(old_purge) > tonumber(purge) then purge = old_purge end
  end
end
redis.call('HSET', KEYS[4], ARGV[5], first .. ':' .. purge .. ':' .. ARGV[17])
redis.call('ZADD', KEYS[3], purge, ARGV[5])
-- A new device over the cap: forget the devices whose latest session is oldest (lowest purgeAt).
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[20])
if result[2] == 0 and over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[3], 0, over - 1)) do
    redis.call('ZREM', KEYS[3], old)
    redis.call('HDEL', KEYS[4], old)
  end
end
extend(KEYS[3], ttl)
extend(KEYS[4], ttl)

redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], ARGV[4], id)
extend(KEYS[2], ttl)
prune(KEYS[2], base, now, 4)
return result
`;

// KEYS: index (active or ended)
// ARGV: '<kind>:<userId>' (the index key's suffix), limit, cursor score ('' = from the top),
//       cursor id, wanted statuses (space separated)
// Returns {next score, next id, value...}; next score '' when the index is exhausted.
const PAGE = `
local base = base_of(KEYS[1], ARGV[1])
local limit = tonumber(ARGV[2])
local needles = {}
for status in string.gmatch(ARGV[5], '%S+') do needles[#needles + 1] = '"status":"' .. status .. '"' end
local entries = page_desc(KEYS[1], ARGV[3], ARGV[4], limit + 1)
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
    redis.call('ZREM', KEYS[1], entries[2 * i - 1])
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
// ARGV: id, status, reason, endedAt, purgeAt, ttl, history cap, guard userId, guard tokenHash
//       ('' = unchecked, flags in 10/11)
const END = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local h, body = split(v)
if h.status ~= 'ACTIVE' then return false end
if ARGV[10] == '1' and h.userId ~= ARGV[8] then return false end
if ARGV[11] == '1' and h.tokenHash ~= ARGV[9] then return false end
local base = base_of(KEYS[1], 'sess:' .. ARGV[1])
return finish(base, ARGV[1], h, body, ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]),
  tonumber(ARGV[6]), tonumber(ARGV[7]))
`;

// KEYS: active index, ended index
// ARGV: userId, except id ('' = none), status, reason, endedAt, purgeAt, ttl, history cap,
//       now, idle, createdAtOrBefore, limit, cursor score ('' = from the top), cursor id
// One bounded batch of revokeAll. Returns {next score, next id, ended value...}.
const END_ALL = `
local base = base_of(KEYS[1], 'active:' .. ARGV[1])
local now = tonumber(ARGV[9])
local idle = tonumber(ARGV[10])
local created_max = tonumber(ARGV[11])
local limit = tonumber(ARGV[12])
local entries = page_desc(KEYS[1], ARGV[13], ARGV[14], limit + 1)
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
  if id ~= ARGV[2] then
    local v = redis.call('GET', base .. 'sess:' .. id)
    if not v then
      redis.call('ZREM', KEYS[1], id)
    else
      local h, body = split(v)
      if h.userId == ARGV[1] and h.createdAt <= created_max and is_live(h, now, idle) then
        out[#out + 1] = finish(base, id, h, body, ARGV[3], ARGV[4], tonumber(ARGV[5]),
          tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]))
      end
    end
  end
end
return out
`;

// KEYS: session
// ARGV: id, presentedHash, tokenHash, refreshTokenHash, at, now, idle, maxRetiredHashes,
//       reuse status, reason, endedAt, purgeAt, ttl, history cap
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
      tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])), 1}
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
  page: script('page', 1, PAGE),
  touch: script('touch', 1, TOUCH),
  end: script('end', 1, END),
  endAll: script('endAll', 2, END_ALL),
  rotate: script('rotate', 1, ROTATE),
  forget: script('forget', 2, FORGET),
  takeDevice: script('takeDevice', 2, TAKE_DEVICE),
  verify: script('verify', 1, VERIFY),
} as const;
