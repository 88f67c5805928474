// /proc/PID/stat (Linux), its fields numbered as proc(5) numbers them.
import { readFileSync } from 'node:fs';
import { linuxBranches } from '../native/platform.js';

/** Field `n` of a process's stat line (n >= 3: the state, the parent pid, ...). */
export type StatField = (n: number) => string | undefined;

/** The fields of /proc/PID/stat; null when there is no such process (or no /proc). */
export function procStat(pid: number | 'self'): StatField | null {
  if (!linuxBranches()) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (n) => fields[n - 3];
}

/** The parent's pid (field 4); null when there is no such process. */
export function parentPid(pid: number): number | null {
  const field = procStat(pid);
  return field === null ? null : Number(field(4));
}
