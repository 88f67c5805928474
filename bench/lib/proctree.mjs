// Reading /proc: a supervision tree's processes, what each one is (supervisor, logger, service),
// and what it costs (PSS, RSS, CPU time).
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** One process: pid, ppid, comm, argv; null when it is gone. */
export function processInfo(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const raw = read(`/proc/${pid}/cmdline`) ?? '';
  const argv = raw === '' ? [] : raw.replace(/\0$/, '').split('\0');
  return { pid, ppid: Number(fields[1]), state: fields[0], comm: stat.slice(stat.indexOf('(') + 1, close), argv };
}

/** `root` and every process below it. */
export function tree(root) {
  const byParent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = processInfo(Number(name));
    if (!info || info.state === 'Z') continue;
    if (!byParent.has(info.ppid)) byParent.set(info.ppid, []);
    byParent.get(info.ppid).push(info);
  }
  const rootInfo = processInfo(root);
  if (!rootInfo) return [];
  const out = [rootInfo];
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i].pid) ?? []));
  return out;
}

const LOGGERS = new Set(['multilog', 'svlogd', 's6-log']);

/** The program a process runs: its argv[0], or for Node the script's program (launcher or shim). */
export function programOf(info) {
  const [first = '', ...rest] = info.argv;
  if (basename(first) !== 'node' && info.comm !== 'node') return basename(first) || info.comm;
  const script = rest.find((a) => !a.startsWith('-')) ?? '';
  if (/(launch|main)\.js$/.test(script)) return rest[rest.indexOf(script) + 1] ?? 'node';
  return basename(script) || 'node';
}

/** 'service' (the supervised sleep), 'logger', or 'supervisor' (everything else in the tree). */
export function roleOf(info) {
  if (info.comm === 'sleep') return 'service';
  return LOGGERS.has(programOf(info)) ? 'logger' : 'supervisor';
}

function field(text, name) {
  const m = text?.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
}

/** Proportional set size in kB (null when the process is gone). */
export const pssKb = (pid) => field(read(`/proc/${pid}/smaps_rollup`), 'Pss');
/** Resident set size in kB. */
export const rssKb = (pid) => field(read(`/proc/${pid}/status`), 'VmRSS');

const TICK_MS = 10;

/** CPU time in ms: the sum of every thread's sum_exec_runtime (ns precision), else utime+stime ticks. */
export function cpuMs(pid) {
  let total = 0;
  let precise = false;
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tasks) {
    const m = read(`/proc/${pid}/task/${tid}/sched`)?.match(/se\.sum_exec_runtime\s*:\s*([\d.]+)/);
    if (m) {
      total += Number(m[1]);
      precise = true;
    }
  }
  if (precise) return total;
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Sums `measure` over a tree's processes by role: {supervisor, logger, service, counts}. */
export function sumByRole(procs, measure) {
  const sums = { supervisor: 0, logger: 0, service: 0 };
  const counts = { supervisor: 0, logger: 0, service: 0 };
  for (const p of procs) {
    const role = roleOf(p);
    counts[role]++;
    sums[role] += measure(p.pid) ?? 0;
  }
  return { ...sums, counts };
}
