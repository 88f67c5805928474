// Group 6, descriptors: what one logged service costs in open descriptors, ours against C
// daemontools: in svscan itself (the one table ours fills, where a hard limit bites) and in the
// whole tree (C's supervise and multilog processes each have a table of their own).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { startDaemon, waitFor } from '../lib/procs.mjs';
import { tree } from '../lib/proctree.mjs';
import { group, na } from '../lib/report.mjs';
import { flavours, makeService, missing } from '../lib/services.mjs';
import { fmt, one } from '../lib/stats.mjs';

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
    for (let i = 0; i < n; i++) makeService(join(scan, `s${i}`), { run: TALKER, logger: flavour.logger });
    // Up and logged: every logger's current holds two lines (a full read and write behind it).
    const logged = await waitFor(
      () => Array.from({ length: n }, (_, i) => lines(join(scan, `s${i}`, 'log', 'main', 'current'))).every((l) => l >= 2),
      { timeoutMs: 120000, intervalMs: 500 },
    );
    if (!logged) throw new Error(`not every logger wrote within 120 s`);
    // The least of a few counts: a logger in the middle of a write may hold a descriptor for it.
    const samples = [];
    for (let k = 0; k < 3; k++) {
      samples.push(count(root));
      await new Promise((r) => setTimeout(r, 300));
    }
    const full = { scanner: Math.min(...samples.map((s) => s.scanner)), tree: Math.min(...samples.map((s) => s.tree)) };
    return { scanner: (full.scanner - empty.scanner) / n, tree: (full.tree - empty.tree) / n };
  } finally {
    cleanup(base);
  }
}

export async function descriptors({ quick, available }) {
  const n = quick ? 20 : 100;
  const result = group(`6. Descriptors per logged service (${n} logged services)`, ['ours', 'C', 'ours / C']);
  result.method = `the scanner is started on an empty scan directory and its descriptors counted once the count is steady; then ${n} services printing a line a second, each with \`multilog t ./main\`, are added, and once every log/main/current holds two lines the descriptors are counted again (/proc/PID/fd; the least of three counts 300 ms apart). Figures are (count at ${n} − count at 0) / ${n}: in svscan alone, and in the whole tree but the services (C: svscan, each supervise and multilog; ours: svscan, the logger stubs and its helpers). Issue 17's target for ours: at most 12 in svscan.`;
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
  for (const [label, key] of [['in svscan', 'scanner'], ['in the whole tree', 'tree']]) {
    const cells = {};
    for (const which of ['ours', 'C']) cells[which] = why[which] ? na(result, `${which}: ${why[which]}`) : fmt(one(got[which][key]), '', 1);
    cells['ours / C'] = got.ours && got.C && got.C[key] > 0 ? `${(got.ours[key] / got.C[key]).toFixed(2)}×` : 'n/a';
    result.rows.push({ figure: `descriptors per logged service, ${label}`, cells });
  }
  return result;
}
