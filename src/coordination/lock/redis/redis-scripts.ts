/**
 * The Lua scripts of RedisLock. Each runs atomically on one Redis node, so "check the owner, then
 * act" cannot interleave with another client (R2, Invariant 1).
 *
 * KEYS[1] is the lock key, KEYS[2] its fencing counter (`<lock key>#fence`), which is never deleted
 * or expired: it survives as long as Redis keeps its data (AOF/RDB).
 */

/** ARGV: owner, ttl ms. Returns {1, token} when acquired, {0, remaining ms of the holder} when busy. */
export const acquireScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('INCR', KEYS[2])}
end
return {0, redis.call('PTTL', KEYS[1])}
`;

/** ARGV: owner. Deletes the key only if this owner still holds it; 1 when it did. */
export const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** ARGV: owner, ttl ms. Resets the expiry only if this owner still holds the key; 1 when it did. */
export const extendScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/** ARGV: floor. Raises the fencing counter to the floor if it is lower (the next INCR is above it); 1 always. */
export const raiseFloorScript = `
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
`;

/**
 * Quorum mode only. ARGV: owner, token. While this owner holds the key, raises the node's counter to
 * the quorum's token, so that every later majority meets a node that has seen it; 1 when done.
 */
export const syncTokenScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[2]) then
    redis.call('SET', KEYS[2], ARGV[2])
  end
  return 1
end
return 0
`;
