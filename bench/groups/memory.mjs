// Group 2, memory: total PSS of a supervision tree of N logged `sleep` services, the services
// themselves excluded, for ours, C daemontools, runit, s6 and pm2 (pm2 has no logger processes).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { pssKb, sumByRole, tree } from '../lib/proctree.mjs';
import { sleep } from '../lib/procs.mjs';
import { group, na, verdict } from '../lib/report.mjs';
import { flavours, missing, startTree } from '../lib/services.mjs';
import { fmtKb, fmtRatio, ratios, summarize } from '../lib/stats.mjs';

const PEERS = ['C', 'runit', 's6', 'pm2'];
const SHAPES = {
  ours: 'svscan hosting every supervisor + N loggers',
  C: 'svscan + 2N supervise + N multilog',
  runit: 'runsvdir + N runsv + N svlogd',
  s6: 's6-svscan + 2N s6-supervise + N s6-log',
  pm2: 'pm2 daemon, no logger processes (it writes logs itself)',
};
const TARGET_N = 100;
/** Issue 15's bars, ours / C: the tree, and the tree with its loggers, at each size. */
const TARGETS = { 100: { tree: 1.0, withLoggers: 1.2 }, 1000: { tree: 0.3, withLoggers: 0.6 } };
/** Share of MemAvailable the Node loggers of the 1000-service tree may take before C's stand in (the machine is shared). */
const MEMORY_SHARE = 0.25;

function memAvailableKb() {
  return Number(readFileSync('/proc/meminfo', 'utf8').match(/^MemAvailable:\s+(\d+)/m)[1]);
}

/** Processes besides `procs` and this harness running the scanner's executable: each shares its code pages, lowering the scanner's PSS. */
function sharers(procs) {
  const exe = (pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`);
    } catch {
      return null; // gone, or a kernel thread
    }
  };
  const scanner = procs.length > 0 ? exe(procs[0].pid) : null;
  if (scanner === null) return 0;
  const mine = new Set([process.pid, ...procs.map((p) => p.pid)]);
  let count = 0;
  for (const name of readdirSync('/proc')) {
    if (/^\d+$/.test(name) && !mine.has(Number(name)) && exe(name) === scanner) count++;
  }
  return count;
}

/** One tree brought up, left to settle, measured and ended: {tree, loggers} PSS in kB. */
async function measure(flavour, n, settleMs) {
  const base = tempDir('memory');
  try {
    const { root } = await startTree(flavour, base, n, { timeoutMs: Math.max(60000, n * 400) });
    await sleep(settleMs);
    const procs = tree(root);
    const sums = sumByRole(procs, pssKb);
    return { tree: sums.supervisor, withLoggers: sums.supervisor + sums.logger, loggers: sums.logger, counts: sums.counts, sharers: sharers(procs) };
  } finally {
    cleanup(base);
  }
}

export async function memory({ quick, available }) {
  const sizes = [1, 100, 1000];
  const runsFor = (n) => (quick || n >= 1000 ? 1 : 3);
  // An idle tree: past our svscan's settle (1 s after its last start or logger taken in) and its
  // second collection (6 s after, src/lib/scan/settle.ts), on a loaded machine too.
  const settleMs = 10000;
  const result = group('2. Memory: PSS of the supervision tree (services excluded)', [
    'ours', ...PEERS, 'ours / C', 'ours / runit, s6, pm2', 'target (ours / C)',
  ]);
  result.method = `each tree is started with N services (\`exec sleep 100000\`), each with a log/run \`multilog t ./main\` (svlogd -t, s6-log t for runit and s6); once every service and logger runs and ${settleMs / 1000} s have passed, Pss from /proc/PID/smaps_rollup is summed over the scanner and everything below it except the sleep processes. ${sizes.map((n) => `N=${n}: ${runsFor(n)} run(s)`).join(', ')}.`;
  const all = flavours(available);
  const series = {};
  const why = {};
  for (const n of sizes) {
    for (const [name, base] of Object.entries(all)) {
      let flavour = base;
      const key = `${name}@${n}`;
      why[key] = missing(base);
      if (why[key]) continue;
      if (name === 'ours' && !available.multilog) why[`${key} loggers`] = 'our multilog not available; C multilog stood in';
      if (name === 'ours' && available.multilog && n >= 1000) {
        // A Node multilog per service: estimate its cost from the smaller tree before starting 1000.
        const perLogger = series[`ours@${TARGET_N}`]?.[0]?.loggers / TARGET_N;
        if (!(perLogger * n < MEMORY_SHARE * memAvailableKb())) {
          flavour = { ...base, logger: '/usr/bin/multilog t ./main' };
          why[`${key} loggers`] = Number.isFinite(perLogger)
            ? `${n} Node multilogs estimated at ${((perLogger * n) / 2 ** 20).toFixed(1)} GiB, over ${MEMORY_SHARE * 100}% of available memory; C multilog stood in`
            : `no ${TARGET_N}-service figure to estimate ${n} Node multilogs from; C multilog stood in`;
        }
      }
      series[key] = [];
      for (let r = 0; r < runsFor(n); r++) {
        try {
          series[key].push(await measure(flavour, n, settleMs));
        } catch (err) {
          why[key] = err.message;
          break;
        }
      }
      if (why[key]) delete series[key];
    }
    for (const [label, pick, targetRatio] of [
      ['tree', (m) => m.tree, TARGETS[n]?.tree],
      ['tree + loggers', (m) => m.withLoggers, TARGETS[n]?.withLoggers],
    ]) {
      const values = (name) => series[`${name}@${n}`]?.map(pick);
      const cell = (name) => {
        if (!values(name)) return na(result, `${name}: ${why[`${name}@${n}`]}`);
        if (name === 'ours' && label !== 'tree' && why[`ours@${n} loggers`]) return na(result, `ours: ${why[`ours@${n} loggers`]}`);
        return fmtKb(summarize(values(name)));
      };
      const ratioTo = (peer) => (values('ours') && values(peer) && !(label !== 'tree' && why[`ours@${n} loggers`]) ? ratios(values('ours'), values(peer)) : null);
      const vsC = ratioTo('C');
      const cells = { ours: cell('ours'), 'ours / C': fmtRatio(vsC) };
      for (const peer of PEERS) cells[peer] = cell(peer);
      cells['ours / runit, s6, pm2'] = ['runit', 's6', 'pm2'].map((p) => fmtRatio(ratioTo(p)).replace(/ \(.*\)$/, '')).join(', ');
      if (targetRatio !== undefined) cells['target (ours / C)'] = verdict(`≤ ${targetRatio}×`, vsC ? vsC.median <= targetRatio : null);
      result.rows.push({ figure: `${n} service${n > 1 ? 's' : ''}: ${label}`, cells });
    }
  }
  for (const [name, shape] of Object.entries(SHAPES)) result.notes.push(`${name}: ${shape}`);
  const others = sizes.flatMap((n) => (series[`ours@${n}`] ?? []).map((m) => `${m.sharers} at N=${n}`));
  if (others.length > 0) result.notes.push(`other processes running our svscan's node executable while ours was measured (besides this harness): ${others.join(', ')}; each shares Node's code pages and so lowers svscan's PSS: the figures that count are those taken with none`);
  result.notes.push('PSS splits each shared page among the processes mapping it, so Node loggers also lower the share of Node\'s code that our svscan is charged');
  result.notes.push('"tree" counts supervisors only (scanner and supervise-like processes); "tree + loggers" adds the logger processes');
  return result;
}
