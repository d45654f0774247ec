#include "redis/redis_scripts.hpp"

namespace liveblog::redis_scripts {

// ---------------------------------------------------------------------------
// Scripts
// ---------------------------------------------------------------------------

// The commit. The key layout is the one in redis_store.hpp.
const char* const kCommitScript = R"lua(#!lua
-- RedisStore's commit: checks, then writes and publishes all, or nothing.
-- ARGV[1] key prefix P; ARGV[2] the transaction (JSON, below); ARGV[3] stream
-- retention (XADD MAXLEN ~); ARGV[4] idempotency key TTL in seconds.
-- Transaction:
--   stories_read  [{id, seq?}]               seq absent: the story was absent
--   entries_read  [{story, id, version?}]    version absent: the entry was absent
--   keys_read     [{story, key, entry?}]     entry: the id the key named, if any
--   stories       [{id, json}]               one per story
--   entries       [{story, id, json, created_seq, modified_seq, deleted, pinned, key}]
--                                            one per (story, id); key "" for none
--   events        [{story, seq, json}]       in the order they were appended
--   records_read  [{c, k, sha?}]             sha: SHA-1 (hex) of the body read; absent: no record
--   records       [{c, k, g, b}]             records saved (collection, key, group, body)
--   records_deleted [{c, k}]                 records deleted
--   notices       ["origin\ntext"]           published on P"notices" (desk changes)
-- The seqs to write are decimal strings, passed to Redis as they are (Lua
-- would print big numbers with lost digits); the seq and version to check are
-- JSON numbers, compared with the same field decoded from the stored JSON.
-- Returns "ok" (written and published), "conflict" (something read has
-- changed since: nothing written) or why a constraint failed (nothing written).
-- Every check runs before the first write: Redis does not undo the writes of
-- a script that fails part-way.

local P = ARGV[1]
local txn = cjson.decode(ARGV[2])
local retention = ARGV[3]
local ttl = ARGV[4]

local function story_key(story) return P .. 's:' .. story end
local function part_key(story, part) return P .. 's:' .. story .. ':' .. part end
local function idem_key(story, key) return P .. 's:' .. story .. ':idem:' .. key end
local function record_key(c) return P .. 'r:' .. c end
local function record_group_key(c) return P .. 'r:' .. c .. ':grp' end
local function group_index(c, g) return P .. 'r:' .. c .. ':g:' .. g end

-- A field of a stored JSON value; nil when there is no value (GET gives false).
local function stored_field(raw, field)
  if not raw then return nil end
  return cjson.decode(raw)[field]
end

-- a > b for decimal strings without leading zeros, exactly.
local function seq_greater(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end

-- 1. Nothing this transaction read has changed.
for _, r in ipairs(txn.stories_read) do
  if stored_field(redis.call('GET', story_key(r.id)), 'seq') ~= r.seq then return 'conflict' end
end
for _, r in ipairs(txn.entries_read) do
  local raw = redis.call('HGET', part_key(r.story, 'entries'), r.id)
  if stored_field(raw, 'version') ~= r.version then return 'conflict' end
end
for _, r in ipairs(txn.keys_read) do
  if (redis.call('GET', idem_key(r.story, r.key)) or nil) ~= r.entry then return 'conflict' end
end
for _, r in ipairs(txn.records_read) do
  local raw = redis.call('HGET', record_key(r.c), r.k)
  if (raw and redis.sha1hex(raw) or nil) ~= r.sha then return 'conflict' end
end

-- 2. The constraints hold in the state the commit leaves.
local saved_stories = {}
for _, s in ipairs(txn.stories) do saved_stories[s.id] = true end
local function story_exists(story)
  return saved_stories[story] or redis.call('EXISTS', story_key(story)) == 1
end

local saved_entries = {}  -- story -> id -> true
for _, e in ipairs(txn.entries) do
  saved_entries[e.story] = saved_entries[e.story] or {}
  saved_entries[e.story][e.id] = true
end
-- Whether `holder`, a committed entry named by an index, keeps its claim
-- against e: it does unless it is e or this commit replaces it (the saved
-- entries are checked among themselves below).
local function other_committed(e, holder)
  return holder ~= e.id and not saved_entries[e.story][holder]
end

-- Among the saved entries: story -> value -> id. False when another saved
-- entry of the story claimed the same value.
local claimed = {seq = {}, key = {}}
local function claim(kind, e, value)
  local by_story = claimed[kind][e.story] or {}
  claimed[kind][e.story] = by_story
  if by_story[value] then return false end
  by_story[value] = e.id
  return true
end

for _, e in ipairs(txn.entries) do
  if not story_exists(e.story) then
    return "entry '" .. e.id .. "' saved for unknown story '" .. e.story .. "'"
  end
  local seq_taken = not claim('seq', e, e.created_seq)
  for _, holder in ipairs(redis.call('ZRANGEBYSCORE', part_key(e.story, 'created'), e.created_seq, e.created_seq)) do
    seq_taken = seq_taken or other_committed(e, holder)
  end
  if seq_taken then
    return 'created_seq ' .. e.created_seq .. " already used in story '" .. e.story .. "'"
  end
  if e.key ~= '' then
    local key_taken = not claim('key', e, e.key)
    local holder = redis.call('GET', idem_key(e.story, e.key))
    -- The key may outlive a change of its entry's key: only a holder that
    -- still has it counts.
    if holder and other_committed(e, holder) then
      local raw = redis.call('HGET', part_key(e.story, 'entries'), holder)
      key_taken = key_taken or stored_field(raw, 'idempotency_key') == e.key
    end
    if key_taken then return "idempotency key already used in story '" .. e.story .. "'" end
  end
end

local last_event = {}  -- story -> seq of its latest event so far, decimal string
for _, ev in ipairs(txn.events) do
  if not story_exists(ev.story) then
    return 'event ' .. ev.seq .. " appended for unknown story '" .. ev.story .. "'"
  end
  local last = last_event[ev.story]
  if not last then
    local top = redis.call('XREVRANGE', part_key(ev.story, 'events'), '+', '-', 'COUNT', 1)[1]
    last = top and string.match(top[1], '^%d+') or '0'
  end
  if not seq_greater(ev.seq, last) then
    return 'event ' .. ev.seq .. " of story '" .. ev.story .. "' is not after its event " .. last
  end
  last_event[ev.story] = ev.seq
end

-- 3. Write, then publish.
for _, s in ipairs(txn.stories) do
  redis.call('SADD', P .. 'stories', s.id)
  redis.call('SET', story_key(s.id), s.json)
end
for _, e in ipairs(txn.entries) do
  redis.call('HSET', part_key(e.story, 'entries'), e.id, e.json)
  redis.call('ZADD', part_key(e.story, 'created'), e.created_seq, e.id)
  redis.call('ZADD', part_key(e.story, 'modified'), e.modified_seq, e.id)
  if e.deleted then
    redis.call('ZREM', part_key(e.story, 'live'), e.id)
  else
    redis.call('ZADD', part_key(e.story, 'live'), e.created_seq, e.id)
  end
  if e.pinned and not e.deleted then
    redis.call('ZADD', part_key(e.story, 'pinned'), e.created_seq, e.id)
  else
    redis.call('ZREM', part_key(e.story, 'pinned'), e.id)
  end
  -- Set once, when the key first names this entry: it is remembered for the
  -- TTL after the post, however often the entry changes later.
  if e.key ~= '' and redis.call('GET', idem_key(e.story, e.key)) ~= e.id then
    redis.call('SET', idem_key(e.story, e.key), e.id, 'EX', ttl)
  end
end
-- A record's group index follows its group: out of the old one, into the new.
local function unindex_record(c, k)
  local old = redis.call('HGET', record_group_key(c), k)
  if old then redis.call('ZREM', group_index(c, old), k) end
end
for _, r in ipairs(txn.records) do
  unindex_record(r.c, r.k)
  redis.call('HSET', record_key(r.c), r.k, r.b)
  redis.call('HSET', record_group_key(r.c), r.k, r.g)
  redis.call('ZADD', group_index(r.c, r.g), 0, r.k)
end
for _, r in ipairs(txn.records_deleted) do
  unindex_record(r.c, r.k)
  redis.call('HDEL', record_key(r.c), r.k)
  redis.call('HDEL', record_group_key(r.c), r.k)
end
for _, ev in ipairs(txn.events) do
  redis.call('XADD', part_key(ev.story, 'events'), 'MAXLEN', '~', retention, ev.seq .. '-0', 'e', ev.json)
end
for _, ev in ipairs(txn.events) do
  redis.call('PUBLISH', P .. 'events:' .. ev.story, ev.json)
end
for _, s in ipairs(txn.stories) do
  redis.call('PUBLISH', P .. 'stories', s.json)
end
for _, n in ipairs(txn.notices or {}) do
  redis.call('PUBLISH', P .. 'notices', n)
end
return 'ok'
)lua";

// The reads that take more than one command, each in one consistent view.
const char* const kReadScript = R"lua(#!lua flags=no-writes
-- RedisStore's multi-command reads. ARGV[1] key prefix; ARGV[2] the read;
-- then its arguments. Bounds and counts are made by the caller and passed to
-- Redis as they are.
--   stories                          -> [story JSON] (any order)
--   page     story bound count       -> [entry JSON]: live entries with
--                                       created_seq below bound ("+inf" or "(N"),
--                                       newest first, at most count
--   snapshot story count pinned      -> nil if no such story, else
--                                       [story JSON, page from the newest,
--                                        pinned entries newest first, at most pinned]
--   changed  story bound count       -> [entry JSON]: entries with modified_seq
--                                       after bound ("(N"), ascending, at most count
--   record   c k                     -> nil, or [body, group] of record k of collection c
--   records  c g from to desc count  -> [key, group, body, ...]: records of group g of
--                                       collection c with keys in [from, to] (ZRANGEBYLEX
--                                       bounds), in key order (reversed when desc = "1")

local P, read = ARGV[1], ARGV[2]

local function part_key(story, part) return P .. 's:' .. story .. ':' .. part end

-- Indexes and values are written together by the commit; a miss is corruption.
local function must(value, what)
  if not value then error('RedisStore data is inconsistent: ' .. what .. ' is missing') end
  return value
end

local function entries(story, ids)
  local out = {}
  for i, id in ipairs(ids) do
    out[i] = must(redis.call('HGET', part_key(story, 'entries'), id), "entry '" .. id .. "' of '" .. story .. "'")
  end
  return out
end

local function newest_live(story, bound, count)
  return entries(story, redis.call('ZREVRANGEBYSCORE', part_key(story, 'live'), bound, '-inf', 'LIMIT', 0, count))
end

if read == 'stories' then
  local out = {}
  for i, id in ipairs(redis.call('SMEMBERS', P .. 'stories')) do
    out[i] = must(redis.call('GET', P .. 's:' .. id), "story '" .. id .. "'")
  end
  return out
elseif read == 'page' then
  return newest_live(ARGV[3], ARGV[4], ARGV[5])
elseif read == 'snapshot' then
  local story = ARGV[3]
  local raw = redis.call('GET', P .. 's:' .. story)
  if not raw then return false end
  local pinned = redis.call('ZREVRANGEBYSCORE', part_key(story, 'pinned'), '+inf', '-inf', 'LIMIT', 0, ARGV[5])
  return {raw, newest_live(story, '+inf', ARGV[4]), entries(story, pinned)}
elseif read == 'changed' then
  local story = ARGV[3]
  return entries(story, redis.call('ZRANGEBYSCORE', part_key(story, 'modified'), ARGV[4], '+inf', 'LIMIT', 0, ARGV[5]))
elseif read == 'record' then
  local body = redis.call('HGET', P .. 'r:' .. ARGV[3], ARGV[4])
  if not body then return false end
  return {body, redis.call('HGET', P .. 'r:' .. ARGV[3] .. ':grp', ARGV[4]) or ''}
elseif read == 'records' then
  local c, g = ARGV[3], ARGV[4]
  local index = P .. 'r:' .. c .. ':g:' .. g
  local keys
  if ARGV[7] == '1' then
    keys = redis.call('ZREVRANGEBYLEX', index, ARGV[6], ARGV[5], 'LIMIT', 0, ARGV[8])
  else
    keys = redis.call('ZRANGEBYLEX', index, ARGV[5], ARGV[6], 'LIMIT', 0, ARGV[8])
  end
  local out = {}
  for _, k in ipairs(keys) do
    out[#out + 1] = k
    out[#out + 1] = g
    out[#out + 1] = must(redis.call('HGET', P .. 'r:' .. c, k), "record '" .. k .. "' of '" .. c .. "'")
  end
  return out
end
error('unknown RedisStore read ' .. read)
)lua";

}  // namespace liveblog::redis_scripts
