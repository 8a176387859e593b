/** Memory and CPU of a process, and the machine's CPU, read from Linux's /proc (benches of real processes). */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** A size field of /proc/<pid>/status in MB (VmRSS resident now, VmHWM its peak, RssAnon/RssFile its parts). */
export async function statusMb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** utime + stime of the process in seconds (fields 14 and 15 of /proc/<pid>/stat, after the command name). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** The machine's busy and total CPU time so far, in clock ticks summed over cores (/proc/stat's `cpu` line). */
export async function machineCpuTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  // idle and iowait are the 4th and 5th columns.
  return { busy: total - ticks[3]! - ticks[4]!, total };
}

/** The `uptime` line: load averages to print beside figures from the shared machine. */
export function uptime(): string {
  return execFileSync('uptime', { encoding: 'utf8' }).trim();
}
