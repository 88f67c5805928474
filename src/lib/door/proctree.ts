// What a service's processes use, for `daemontools top`: CPU time and resident memory summed over
// the process tree under the pid supervise started, from /proc (Linux). The tree is walked
// through each thread's `children` list, so only the service's own processes are read.
import { readdirSync, readFileSync } from 'node:fs';
import { procStat } from '../proc-stat.js';

/** sysconf(_SC_CLK_TCK) and the page size on every Linux that Node runs on. */
export const CLOCK_TICKS = 100;
export const PAGE_SIZE = 4096;

export interface TreeUsage {
  /** Processes in the tree, the root among them. */
  readonly processes: number;
  /** utime + stime of every process, in clock ticks. */
  readonly ticks: number;
  /** Resident set sizes added up, in bytes. */
  readonly rss: number;
}

/** Children of `pid`, from every thread's children file (proc(5)); [] when it has gone. */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (c !== '') out.push(Number(c));
    } catch {
      // The thread ended.
    }
  }
  return out;
}

/** The usage of `root` and everything below it; null when `root` is not running. */
export function treeUsage(root: number): TreeUsage | null {
  let processes = 0;
  let ticks = 0;
  let rss = 0;
  const todo = [root];
  const seen = new Set<number>();
  while (todo.length > 0) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const field = procStat(pid);
    if (field === null) {
      if (pid === root) return null;
      continue;
    }
    processes++;
    ticks += Number(field(14)) + Number(field(15));
    rss += Number(field(24)) * PAGE_SIZE;
    todo.push(...childrenOf(pid));
  }
  return { processes, ticks, rss };
}

/** CPU use between two samples of the same tree, in percent of one CPU. */
export function cpuPercent(before: { ticks: number; at: number }, after: { ticks: number; at: number }): number {
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return 0;
  return Math.max(0, ((after.ticks - before.ticks) / CLOCK_TICKS / seconds) * 100);
}
