// Group 7, absence: memory during svscan's absence. Our svscan hosts every supervisor and logger
// engine; SIGKILL it and its logger stubs go to one orphan host (src/lib/loghost/orphans.ts).
// The figure: PSS of what is left (the stubs, the keeper, the orphan host) against the tree's
// before (svscan, the stubs, the keeper). C's svscan's death changes nothing: 1.0× is C's.
import { closeSync, constants as fsc, openSync, readdirSync, readFileSync, readlinkSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { pssKb, roleOf, tree } from '../lib/proctree.mjs';
import { sleep, waitFor } from '../lib/procs.mjs';
import { group, na, verdict } from '../lib/report.mjs';
import { flavours, missing, startTree } from '../lib/services.mjs';
import { fmtKb, fmtRatio, one } from '../lib/stats.mjs';

const TARGET = 1.5;

const cmdline = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
  } catch {
    return [];
  }
};

/** The orphan host of svscan `scan` over `dir`. */
function orphanHost(dir, scan) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const argv = cmdline(name);
    const at = argv.findIndex((a) => a.endsWith('/orphan-host.js'));
    // (The keeper's own argv names it too.)
    if (at >= 0 && argv[0] !== 'daemontools-keeper' && argv[at + 1] === dir && argv[at + 2] === String(scan)) return Number(name);
  }
  return null;
}

const sockets = (pid) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
};

const size = (file) => {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
};

/** Each service's log pipe (opened anew through /proc, write end) and its log's `current`. */
function logPipes(procs) {
  return procs
    .filter((p) => roleOf(p) === 'service')
    .map((p) => {
      const fd = openSync(`/proc/${p.pid}/fd/1`, fsc.O_WRONLY | fsc.O_NONBLOCK);
      return { fd, current: join(readlinkSync(`/proc/${p.pid}/cwd`), 'log', 'main', 'current') };
    });
}

const sum = (pids) => pids.reduce((total, pid) => total + (pssKb(pid) ?? 0), 0);

/** {before, away, ms}: PSS in kB of the tree with svscan and while it is away, and how long the orphan host took to host every stub. */
async function measure(flavour, n, settleMs) {
  const base = tempDir('absence');
  try {
    const { root } = await startTree(flavour, base, n, { timeoutMs: Math.max(60000, n * 400) });
    // Every stub hosted (its connection in svscan), so the figure is the steady tree's.
    await waitFor(() => sockets(root) >= n, { timeoutMs: Math.max(30000, n * 60), intervalMs: 200 });
    await sleep(settleMs);
    const procs = tree(root).filter((p) => roleOf(p) !== 'service');
    const before = sum(procs.map((p) => p.pid));
    const rest = procs.filter((p) => p.pid !== root).map((p) => p.pid);
    const pipes = logPipes(tree(root));
    const killed = Date.now();
    process.kill(root, 'SIGKILL');
    // One line into each service's log pipe at the kill: the time until every log holds it.
    for (const p of pipes) {
      p.size = size(p.current);
      writeSync(p.fd, 'after the kill\n');
      closeSync(p.fd);
    }
    let grown = 0;
    const logsPromise = waitFor(
      () => {
        for (const p of pipes) if (!p.grown && size(p.current) > p.size) [p.grown, grown] = [true, grown + 1];
        return grown === pipes.length && Date.now() - killed;
      },
      { timeoutMs: Math.max(30000, n * 60), intervalMs: 50 },
    );
    const dir = join(base, 'service');
    const host = await waitFor(() => orphanHost(dir, root), { timeoutMs: 60000, intervalMs: 50 });
    if (!host) throw new Error('no orphan host came up');
    // Each hosted stub: its connection and the socket it is asked back at. (Every 200 ms: each
    // look reads 2N links, CPU the stubs and the orphan host would otherwise have.)
    await waitFor(() => sockets(host) >= 2 * n, { timeoutMs: Math.max(30000, n * 60), intervalMs: 200 });
    const ms = Date.now() - killed;
    const logsMs = (await logsPromise) || null;
    await sleep(settleMs);
    return { before, away: sum([...rest, host]), ms, logsMs, logs: pipes.length };
  } finally {
    cleanup(base);
  }
}

export async function absence({ quick, available }) {
  // ABSENCE_SIZES=1000 (comma-separated) measures only those sizes.
  const sizes = process.env.ABSENCE_SIZES ? process.env.ABSENCE_SIZES.split(',').map(Number) : quick ? [100] : [100, 1000];
  const settleMs = quick ? 2000 : 3000;
  const result = group('7. Memory during svscan\'s absence (services excluded)', ['with svscan', 'svscan away', 'away / with', 'stubs hosted after', 'every log grown after', `target (≤ ${TARGET}×)`]);
  result.method = `ours only: N services (\`exec sleep 100000\`) each with \`multilog t ./main\`; once all run and ${settleMs / 1000} s have passed, Pss (/proc/PID/smaps_rollup) is summed over svscan and everything below it but the sleeps; then svscan is SIGKILLed, and once the orphan host holds every stub and ${settleMs / 1000} s more have passed, over what is left (the stubs, the keeper) and the orphan host. One run per N. At the kill, one line is written into each service's log pipe; \`every log grown after\`: until each \`current\` is longer. C's svscan's death changes nothing (1.0×).`;
  const ours = flavours(available).ours;
  const why = missing(ours) ?? (available.multilog ? null : 'our multilog not available');
  for (const n of sizes) {
    const figure = `${n} logged services`;
    if (why) {
      result.rows.push({ figure, cells: { 'with svscan': na(result, why) } });
      continue;
    }
    try {
      const m = await measure(ours, n, settleMs);
      const ratio = m.away / m.before;
      result.rows.push({
        figure,
        cells: {
          'with svscan': fmtKb(one(m.before)),
          'svscan away': fmtKb(one(m.away)),
          'away / with': fmtRatio(one(ratio)),
          'stubs hosted after': `${(m.ms / 1000).toFixed(1)} s`,
          'every log grown after': m.logsMs === null ? 'not within the wait' : `${(m.logsMs / 1000).toFixed(1)} s`,
          [`target (≤ ${TARGET}×)`]: verdict(`≤ ${TARGET}×`, ratio <= TARGET),
        },
      });
    } catch (err) {
      result.rows.push({ figure, cells: { 'with svscan': na(result, err.message) } });
    }
  }
  result.notes.push('before: svscan (every supervisor and log engine), N logger stubs, the pipe keeper; away: the N stubs, the keeper and the one orphan host, which hosts every stub\'s engine until the next svscan takes them back');
  return result;
}
