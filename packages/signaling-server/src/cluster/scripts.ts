/**
 * Lua scripts run atomically by Redis: every change to a room's membership happens in one script
 * that also bumps the room's version and publishes the change, so every instance sees a room's
 * changes in the order Redis applied them, and two joins racing for the last seat never both win.
 *
 * A room member is stored as the hash field `peerId` → `seq|instance|name` (seq: global join order;
 * instance: where its socket is; name last, as it may hold `|`). Keys built inside a script (rooms of
 * a session, another instance's set) are fine on a single Redis; Redis Cluster is not supported.
 */

/** Shared helpers, prepended to scripts that edit a session's room list (comma-separated: room names never hold commas). */
const ROOM_LIST = `
local function without(list, room)
  local out = {}
  for r in string.gmatch(list or '', '[^,]+') do if r ~= room then out[#out + 1] = r end end
  return table.concat(out, ',')
end
local function rooms_of(list)
  local out = {}
  for r in string.gmatch(list or '', '[^,]+') do out[#out + 1] = r end
  return out
end
`;

/**
 * KEYS: room hash, room version, seq counter, session. ARGV: room, peerId, name, instance, capacity,
 * presence channel. → {'full'} or {'ok', version, flat HGETALL of the room}.
 */
export const JOIN = `${ROOM_LIST}
local existing = redis.call('HGET', KEYS[1], ARGV[2])
if not existing then
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[5]) then return {'full'} end
  local seq = redis.call('INCR', KEYS[3])
  redis.call('HSET', KEYS[1], ARGV[2], seq .. '|' .. ARGV[4] .. '|' .. ARGV[3])
  local ver = redis.call('INCR', KEYS[2])
  redis.call('PERSIST', KEYS[2])
  redis.call('PUBLISH', ARGV[6], cjson.encode({r = ARGV[1], v = ver, k = 'join', p = ARGV[2], m = seq .. '|' .. ARGV[4] .. '|' .. ARGV[3]}))
end
local list = redis.call('HGET', KEYS[4], 'rooms') or ''
if without(list, ARGV[1]) == list then
  redis.call('HSET', KEYS[4], 'rooms', (list == '' and ARGV[1]) or (list .. ',' .. ARGV[1]))
end
return {'ok', tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HGETALL', KEYS[1])}
`;

/** KEYS: room hash, room version. ARGV: (none). → {version, flat HGETALL}. */
export const SNAPSHOT = `
return {tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HGETALL', KEYS[1])}
`;

/** Remove a member (publishing `leave`), forgetting empty rooms' versions after a day. */
const LEAVE_ROOM = `
local function leave_room(prefix, channel, room, peer, reason)
  local key = prefix .. 'room:' .. room
  if redis.call('HDEL', key, peer) == 0 then return 0 end
  local ver = redis.call('INCR', prefix .. 'roomver:' .. room)
  if redis.call('HLEN', key) == 0 then redis.call('PEXPIRE', prefix .. 'roomver:' .. room, 86400000) end
  redis.call('PUBLISH', channel, cjson.encode({r = room, v = ver, k = 'leave', p = peer, why = reason}))
  return 1
end
`;

/** KEYS: session. ARGV: prefix, presence channel, room, peerId, reason. → 1 if it was a member. */
export const LEAVE = `${ROOM_LIST}${LEAVE_ROOM}
local list = redis.call('HGET', KEYS[1], 'rooms')
if list then redis.call('HSET', KEYS[1], 'rooms', without(list, ARGV[3])) end
return leave_room(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
`;

/**
 * The resume window lapsed: leave every room and forget the session, unless it was resumed meanwhile.
 * KEYS: session, mailbox, this instance's peer set. ARGV: prefix, presence channel, peerId, nonce, reason, instance.
 */
export const EXPIRE = `${ROOM_LIST}${LEAVE_ROOM}
local s = redis.call('HMGET', KEYS[1], 'nonce', 'instance', 'rooms')
redis.call('SREM', KEYS[3], ARGV[3])
if s[1] and (s[1] ~= ARGV[4] or s[2] ~= ARGV[6]) then return 0 end
for _, room in ipairs(rooms_of(s[3])) do leave_room(ARGV[1], ARGV[2], room, ARGV[3], ARGV[5]) end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`;

/**
 * `hello` with a valid token. KEYS: session, used-nonce key, new instance's peer set, mailbox.
 * ARGV: prefix, presence channel, peerId, token nonce, token epoch, current epoch, new nonce,
 * new instance, used-nonce TTL ms.
 * → {'resumed', old instance, rooms, mailbox...} | {'restored'} | {'fresh'}.
 * Resumed: the session moves here (its nonce rotates, so the token works once) and every room it is
 * in records the new instance (publishing `move`); the mailbox is handed over and emptied.
 */
export const CLAIM = `${ROOM_LIST}
local s = redis.call('HMGET', KEYS[1], 'nonce', 'instance', 'rooms')
if s[1] then
  if s[1] ~= ARGV[4] then return {'fresh'} end
  local old = s[2] or ''
  redis.call('HSET', KEYS[1], 'nonce', ARGV[7], 'instance', ARGV[8], 'away', '0')
  if old ~= '' then redis.call('SREM', ARGV[1] .. 'peers:' .. old, ARGV[3]) end
  redis.call('SADD', KEYS[3], ARGV[3])
  for _, room in ipairs(rooms_of(s[3])) do
    local key = ARGV[1] .. 'room:' .. room
    local m = redis.call('HGET', key, ARGV[3])
    if m then
      local seq, _, name = string.match(m, '^([^|]*)|([^|]*)|(.*)$')
      local moved = seq .. '|' .. ARGV[8] .. '|' .. name
      redis.call('HSET', key, ARGV[3], moved)
      local ver = redis.call('INCR', ARGV[1] .. 'roomver:' .. room)
      redis.call('PUBLISH', ARGV[2], cjson.encode({r = room, v = ver, k = 'move', p = ARGV[3], m = moved}))
    end
  end
  local mail = redis.call('LRANGE', KEYS[4], 0, -1)
  redis.call('DEL', KEYS[4])
  local out = {'resumed', old, s[3] or ''}
  for _, frame in ipairs(mail) do out[#out + 1] = frame end
  return out
end
if ARGV[5] == ARGV[6] then return {'fresh'} end
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[9]) then return {'fresh'} end
redis.call('HSET', KEYS[1], 'nonce', ARGV[7], 'instance', ARGV[8], 'rooms', '', 'away', '0')
redis.call('SADD', KEYS[3], ARGV[3])
return {'restored'}
`;

/**
 * A frame for a peer that is not where the sender's replica said (away, moved, or its instance
 * died): forward it to the instance that owns the peer's connected socket, else keep it in the
 * mailbox (bounded; the resume window as TTL). KEYS: session, mailbox. ARGV: prefix, envelope,
 * frame, mailbox size, window ms, instance that gave up on it.
 * → 'forwarded' | 'queued' | 'full' | 'gone' (no such session).
 */
export const PUSH = `
local s = redis.call('HMGET', KEYS[1], 'instance', 'away')
if not s[1] then return 'gone' end
if s[2] == '0' and s[1] ~= ARGV[6] then
  if redis.call('PUBLISH', ARGV[1] .. 'inst:' .. s[1], ARGV[2]) > 0 then return 'forwarded' end
end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[4]) then return 'full' end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 'queued'
`;

/**
 * Take over the sessions of an instance whose liveness key expired; exactly one survivor wins.
 * KEYS: dead instance's liveness key, instance set, dead instance's peer set, this instance's peer set.
 * ARGV: prefix, dead instance, this instance. → nil, or {peerId, nonce, rooms, ...} for each session.
 */
export const SWEEP = `
if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
if redis.call('SREM', KEYS[2], ARGV[2]) == 0 then return nil end
local out = {}
for _, peer in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local key = ARGV[1] .. 'session:' .. peer
  local s = redis.call('HMGET', key, 'nonce', 'instance', 'rooms')
  if s[1] and s[2] == ARGV[2] then
    redis.call('HSET', key, 'instance', ARGV[3], 'away', '1')
    redis.call('SADD', KEYS[4], peer)
    out[#out + 1] = peer
    out[#out + 1] = s[1]
    out[#out + 1] = s[3] or ''
  end
end
redis.call('DEL', KEYS[3])
return out
`;
