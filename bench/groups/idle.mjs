// Group 5, idle cost: CPU time an idle tree of 100 logged services uses (services excluded),
// ours against C daemontools, in consecutive windows after the tree has settled.
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { cpuMs, roleOf, tree } from '../lib/proctree.mjs';
import { sleep } from '../lib/procs.mjs';
import { group, na, verdict } from '../lib/report.mjs';
import { flavours, missing, startTree } from '../lib/services.mjs';
import { fmt, fmtRatio, ratios, summarize } from '../lib/stats.mjs';

/** Wait before measuring: svscan settles 1 s after its last start; the rescans after it page back once. */
const SETTLE_MS = 15000;

const SERVICES = 100;
/** Issue 15's bar, ours / C. */
const TARGET = 2;
const PER_MS = 10000;

function snapshot(root) {
  const out = new Map();
  for (const p of tree(root)) {
    const role = roleOf(p);
    if (role === 'service') continue;
    const ms = cpuMs(p.pid);
    if (ms !== null) out.set(p.pid, { role, ms });
  }
  return out;
}

/** CPU ms per PER_MS of each window: {tree: [...], withLoggers: [...]}. */
async function windows(flavour, count, windowMs) {
  const base = tempDir('idle');
  try {
    const { root } = await startTree(flavour, base, SERVICES, { timeoutMs: 120000 });
    // Past svscan's settle (1 s after the last start: it drops the clean pages of Node's files)
    // and the rescans after it, which page back what rescans use (about 50 ms of CPU, once): a
    // one-time cost of settling, not the idle one.
    await sleep(SETTLE_MS);
    const out = { tree: [], withLoggers: [] };
    let before = snapshot(root);
    for (let w = 0; w < count; w++) {
      await sleep(windowMs);
      const after = snapshot(root);
      let supervisors = 0;
      let loggers = 0;
      for (const [pid, { role, ms }] of after) {
        const used = ms - (before.get(pid)?.ms ?? ms);
        if (role === 'logger') loggers += used;
        else supervisors += used;
      }
      out.tree.push((supervisors * PER_MS) / windowMs);
      out.withLoggers.push(((supervisors + loggers) * PER_MS) / windowMs);
      before = after;
    }
    return out;
  } finally {
    cleanup(base);
  }
}

export async function idle({ quick, available }) {
  const windowMs = quick ? 5000 : 10000;
  const count = quick ? 2 : 6;
  const result = group(`5. Idle cost: CPU time of an idle tree of ${SERVICES} logged services`, ['ours', 'C', 'ours / C', 'target (ours / C)']);
  result.method = `the tree of group 2 with ${SERVICES} services is started and left ${SETTLE_MS / 1000} s to settle (past svscan's memory settle and the first rescan after it); then, over ${(windowMs * count) / 1000} s in ${count} windows of ${windowMs / 1000} s, the CPU time of every process in it but the services is summed (se.sum_exec_runtime of each thread from /proc/PID/task/TID/sched, else utime+stime). Figures are CPU ms per ${PER_MS / 1000} s: median (min–max) over the windows.`;
  const all = flavours(available);
  const series = {};
  const why = {};
  for (const which of ['ours', 'C']) {
    why[which] = missing(all[which]);
    if (why[which]) continue;
    try {
      series[which] = await windows(all[which], count, windowMs);
    } catch (err) {
      why[which] = err.message;
    }
  }
  for (const [label, key] of [['tree', 'tree'], ['tree + loggers', 'withLoggers']]) {
    const cells = {};
    const loggerWhy = key === 'withLoggers' && !available.multilog ? 'our multilog not available; C multilog stood in' : null;
    for (const which of ['ours', 'C']) {
      if (why[which]) cells[which] = na(result, `${which}: ${why[which]}`);
      else if (which === 'ours' && loggerWhy) cells[which] = na(result, `ours: ${loggerWhy}`);
      else cells[which] = fmt(summarize(series[which][key]), 'ms', 1);
    }
    const ok = series.ours && series.C && !loggerWhy;
    const vsC = ok ? ratios(series.ours[key], series.C[key]) : null;
    cells['ours / C'] = ok && !vsC ? 'n/a (C used no CPU)' : fmtRatio(vsC);
    cells['target (ours / C)'] = verdict(`≤ ${TARGET}×`, vsC ? vsC.median <= TARGET : null);
    result.rows.push({ figure: `CPU per ${PER_MS / 1000} s: ${label}`, cells });
  }
  return result;
}
