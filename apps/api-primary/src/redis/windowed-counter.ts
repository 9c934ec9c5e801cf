import type { Redis } from 'ioredis';

/**
 * INCR and its expiry in one step (a Lua script runs atomically): every replica sees one count,
 * and a crash between the two can never leave a counter without expiry (a permanent lockout).
 * The window starts at the first hit; `restartAt` (when > 0) restarts it once the count reaches
 * that value (a lockout lasts its full period from the failure that triggered it).
 */
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or n == tonumber(ARGV[2]) or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {n, redis.call('PTTL', KEYS[1])}
`;

export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  remainingMs: number;
}

export async function countInWindow(
  redis: Redis,
  key: string,
  windowMs: number,
  restartAt = 0,
): Promise<WindowCount> {
  const [count, remainingMs] = (await redis.eval(SCRIPT, 1, key, String(windowMs), String(restartAt))) as [
    number,
    number,
  ];
  return { count, remainingMs: Math.max(remainingMs, 0) };
}
