// Lua shared by every script, placed after the script's KEY/ARG prologue (see
// define.ts).
//
// A session value is `<head JSON>\n<body JSON>`. The head holds the fields a
// script reads or writes (status, times, hashes, userId) and is re-encoded with
// cjson; the body (ip, user agent, device, location, metadata) passes through
// byte for byte, so cjson never touches caller data. JSON never contains a raw
// newline, so the first `\n` always separates the two (record-codec.ts writes them).
//
// Keys a script derives (session keys from index members, index keys from a
// record's userId) share the hash tag of the keys it was given, so they live in
// the same Redis Cluster slot. Their base is taken from a declared key, which
// keeps them right when the client adds its own `keyPrefix`.
//
// `is_live` is the liveness rule of core's `isLive` (session-store.ts); the
// Mongo store has a third copy as a query filter. Change the three together.
export const HELPERS = `
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

-- The end transition passed as the six ARG fields <prefix>Status, <prefix>Reason,
-- <prefix>At, <prefix>PurgeAt, <prefix>Ttl, <prefix>HistoryCap (transitionArgs in define.ts).
local function transition(prefix)
  return {
    status = ARG[prefix .. 'Status'],
    reason = ARG[prefix .. 'Reason'],
    ended_at = tonumber(ARG[prefix .. 'At']),
    purge_at = tonumber(ARG[prefix .. 'PurgeAt']),
    ttl = tonumber(ARG[prefix .. 'Ttl']),
    cap = tonumber(ARG[prefix .. 'HistoryCap']),
  }
end

-- Writes an end transition t: new head, new TTL, moves the id from the active to the ended
-- index, then drops the user's oldest ended sessions beyond the history cap (usually one at most).
local function finish(base, id, h, body, t)
  h.status = t.status
  h.endReason = t.reason
  h.endedAt = t.ended_at
  h.purgeAt = t.purge_at
  local value = cjson.encode(h) .. body
  redis.call('SET', base .. 'sess:' .. id, value, 'PX', t.ttl)
  redis.call('ZREM', base .. 'active:' .. h.userId, id)
  local ended = base .. 'ended:' .. h.userId
  redis.call('ZADD', ended, t.ended_at, id)
  extend(ended, t.ttl)
  prune(ended, base, '+inf', 2)
  local over = redis.call('ZCARD', ended) - t.cap
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
