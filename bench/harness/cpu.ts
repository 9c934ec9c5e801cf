import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. Throughput on a
 * shared 2-core box swings with whatever else runs; CPU per request of the server itself barely does.
 */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

/** Runs `measure` and returns its result plus the server's CPU microseconds per completed request. */
export async function withCpu<T extends { total: number }>(
  pid: number,
  measure: () => Promise<T>,
): Promise<T & { cpu_us: number }> {
  const before = cpuMs(pid);
  const result = await measure();
  return { ...result, cpu_us: ((cpuMs(pid) - before) * 1000) / Math.max(result.total, 1) };
}
