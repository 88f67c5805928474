// Group 6, descriptors: what one logged service costs in open descriptors, ours against C
// daemontools: in svscan itself (the one table ours fills, where a hard limit bites) and in the
// whole tree (C's supervise and multilog processes each have a table of their own).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { startDaemon, waitFor } from '../lib/procs.mjs';
import { tree } from '../lib/proctree.mjs';
import { group, na, verdict } from '../lib/report.mjs';
import { flavours, makeService, missing } from '../lib/services.mjs';

/** Issue 17's target for ours: descriptors per logged service held by svscan. */
const TARGET = 12;
/** A service printing a line a second, as the lead measured (issue 17). */
const TALKER = '#!/bin/sh\nwhile :; do echo hello; sleep 1; done\n';

function openFiles(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The services themselves (./run's shell and its sleeps) are not the supervision's cost. */
const isService = (p) => p.comm === 'run' || p.comm === 'sleep';

function count(root) {
  const procs = tree(root).filter((p) => !isService(p));
  return { scanner: openFiles(root), tree: procs.reduce((sum, p) => sum + openFiles(p.pid), 0) };
}

const lines = (file) => {
  try {
    return readFileSync(file, 'latin1').split('\n').length - 1;
  } catch {
    return 0;
  }
};

/** {scanner, tree}: descriptors per logged service, from the counts at 0 and at `n` services. */
async function perService(flavour, n) {
  const base = tempDir('fds');
  try {
    const scan = join(base, 'service');
    mkdirSync(scan);
    const child = startDaemon(flavour.scanner, [...(flavour.args ?? []), scan], { cwd: base, env: flavour.env });
    const root = child.pid;
    // At 0 services: once the count is the same twice a second apart, svscan is set up.
    let last = -1;
    const settled = await waitFor(() => {
      const now = openFiles(root);
      const same = now === last && now > 0;
      last = now;
      return same;
    }, { timeoutMs: 20000, intervalMs: 1000 });
    if (!settled) throw new Error(`${flavour.scanner}: not set up`);
    const empty = count(root);
    // The least of a few counts: a logger in the middle of a write may hold a descriptor for it.
    const least = async () => {
      const samples = [];
      for (let k = 0; k < 3; k++) {
        samples.push(count(root));
        await new Promise((r) => setTimeout(r, 300));
      }
      return { scanner: Math.min(...samples.map((s) => s.scanner)), tree: Math.min(...samples.map((s) => s.tree)) };
    };
    // Up and logged: every logger's current holds two lines (a full read and write behind it).
    const upTo = async (from, to) => {
      for (let i = from; i < to; i++) makeService(join(scan, `s${i}`), { run: TALKER, logger: flavour.logger });
      const logged = await waitFor(
        () => Array.from({ length: to }, (_, i) => lines(join(scan, `s${i}`, 'log', 'main', 'current'))).every((l) => l >= 2),
        { timeoutMs: 120000, intervalMs: 500 },
      );
      if (!logged) throw new Error(`not every logger wrote within 120 s`);
      return least();
    };
    // One service first: what the first logger makes once for all (a shared pipe, a stderr copy) is then there.
    const first = await upTo(0, 1);
    const full = await upTo(1, n);
    const per = (key) => (full[key] - empty[key]) / n;
    const more = (key) => (full[key] - first[key]) / (n - 1);
    return { scanner: per('scanner'), tree: per('tree'), scannerMore: more('scanner'), treeMore: more('tree') };
  } finally {
    cleanup(base);
  }
}

export async function descriptors({ quick, available }) {
  const n = quick ? 20 : 100;
  const result = group(`6. Descriptors per logged service (${n} logged services)`, ['ours', 'C', 'ours / C', 'target (ours in svscan)']);
  result.method = `the scanner is started on an empty scan directory and its descriptors counted once the count is steady; then ${n} services printing a line a second, each with \`multilog t ./main\`, are added, and once every log/main/current holds two lines the descriptors are counted again (/proc/PID/fd; the least of three counts 300 ms apart). Figures are (count at ${n} − count at 0) / ${n}: in svscan alone, and in the whole tree but the services (C: svscan, each supervise and multilog; ours: svscan, the logger stubs and its helpers); "each one more" is (count at ${n} − count at 1) / ${n - 1}, what a service adds once the first logger made what all of them share (ours: the tee copy pipe and one stderr copy). Issue 17's target for ours: at most ${TARGET} in svscan.`;
  const all = flavours(available);
  const got = {};
  const why = {};
  for (const which of ['ours', 'C']) {
    why[which] = missing(all[which]) ?? (which === 'ours' && !available.multilog ? 'our multilog not available' : null);
    if (why[which]) continue;
    try {
      got[which] = await perService(all[which], n);
    } catch (err) {
      why[which] = err.message;
    }
  }
  for (const [label, key] of [
    ['in svscan', 'scanner'],
    ['in svscan, each one more', 'scannerMore'],
    ['in the whole tree', 'tree'],
    ['in the whole tree, each one more', 'treeMore'],
  ]) {
    const cells = {};
    for (const which of ['ours', 'C']) cells[which] = why[which] ? na(result, `${which}: ${why[which]}`) : got[which][key].toFixed(2);
    cells['ours / C'] = got.ours && got.C && got.C[key] > 0 ? `${(got.ours[key] / got.C[key]).toFixed(2)}×` : 'n/a';
    if (key === 'scanner' || key === 'scannerMore') cells[`target (ours in svscan)`] = verdict(`≤ ${TARGET}`, got.ours ? got.ours[key] <= TARGET : null);
    result.rows.push({ figure: `descriptors per logged service, ${label}`, cells });
  }
  return result;
}
