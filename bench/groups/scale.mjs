// Group 7, scale: past C svscan's table of 1,000 (issue 17). 10,000 services and 5,000 logged ones
// under our svscan (as many as this host's descriptor limit holds when svscan may not raise it):
// time until C's svstat reports every one up, the tree's PSS, descriptors, idle CPU, and the stop
// on C's `svc -dx`; C's svscan beside it at its most, 1,000. Minutes long: out of --quick unless
// named (`npm run bench -- --only scale`).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir, treeStarted } from '../lib/cleanup.mjs';
import { cpuMs, pssKb, roleOf, tree } from '../lib/proctree.mjs';
import { sleep, startDaemon, waitFor } from '../lib/procs.mjs';
import { group, na } from '../lib/report.mjs';
import { flavours, makeService, missing } from '../lib/services.mjs';

/** C svscan's static table (svscan.c's SERVICES): it starts no more. */
const C_TABLE = 1000;
/** What one service costs our svscan in descriptors (src/lib/scan/scanner.ts DESCRIPTOR_COST). */
const OURS_COST = { plain: 3, logged: 12 };
/** svscan's own descriptors, the 64 it keeps free, and room. */
const OURS_BASE = 500;
const SHAPES = [
  { label: 'services', target: 10_000, logged: false },
  { label: 'logged services', target: 5_000, logged: true },
];
/** After all are up: svscan's settle (1 s after the last start) and the rescans after it. */
const SETTLE_MS = 15000;
const PER_MS = 10000;
const SVSTAT_SLICE = 2000;

function hardNofile() {
  return Number(/^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))?.[1] ?? 0);
}

/** Whether a child of ours may raise its hard NOFILE limit (root with CAP_SYS_RESOURCE, as svscan does itself). */
function mayRaise(hard) {
  return spawnSync('prlimit', [`--nofile=${hard + 1}:${hard + 1}`, 'true']).status === 0;
}

/** How many our svscan is run with, and why fewer than the target when it is. */
function oursCount(shape) {
  const hard = hardNofile();
  if (mayRaise(hard)) return { count: shape.target, why: null };
  const fit = Math.floor((hard - OURS_BASE) / (shape.logged ? OURS_COST.logged : OURS_COST.plain) / 100) * 100;
  if (fit >= shape.target) return { count: shape.target, why: null };
  return {
    count: fit,
    why: `ours ran ${fit} ${shape.label}, not ${shape.target}: its hard descriptor limit is ${hard}, which it may not raise here (not root, or no CAP_SYS_RESOURCE); run the bench under \`prlimit --nofile=N:N\` (N ≥ ${OURS_BASE + shape.target * (shape.logged ? OURS_COST.logged : OURS_COST.plain)}) or as root with CAP_SYS_RESOURCE for the full figure`,
  };
}

function svstat(base, dirs) {
  const out = [];
  for (let i = 0; i < dirs.length; i += SVSTAT_SLICE) {
    const r = spawnSync('/usr/bin/svstat', dirs.slice(i, i + SVSTAT_SLICE), { cwd: base, encoding: 'latin1', maxBuffer: 1 << 26 });
    out.push(...(r.stdout ?? '').split('\n').filter((l) => l !== ''));
  }
  return out;
}
const upIn = (lines) => lines.filter((l) => / up \(pid [0-9]+\)/.test(l)).length;

/** C svok on every directory, one shell for all: the names of those it failed on. */
function svokFailures(base, dirs) {
  const list = join(base, 'dirs.txt');
  writeFileSync(list, `${dirs.join('\n')}\n`);
  const r = spawnSync('/bin/sh', ['-c', 'while read d; do /usr/bin/svok "$d" || echo "$d"; done < dirs.txt'], { cwd: base, encoding: 'latin1', maxBuffer: 1 << 26 });
  return (r.stdout ?? '').split('\n').filter((l) => l !== '');
}

function svc(base, args, dirs) {
  for (let i = 0; i < dirs.length; i += SVSTAT_SLICE) spawnSync('/usr/bin/svc', [...args, ...dirs.slice(i, i + SVSTAT_SLICE)], { cwd: base });
}

const openFiles = (pid) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
};

function cpuOf(procs) {
  const out = new Map();
  for (const p of procs) {
    const ms = cpuMs(p.pid);
    if (ms !== null) out.set(p.pid, ms);
  }
  return out;
}

/** One tree of `count` services brought up, checked, measured, stopped with svc -dx. */
async function measure(which, flavour, count, logged, windowMs) {
  const base = tempDir(`scale-${which}`);
  try {
    const scan = join(base, 'service');
    const names = Array.from({ length: count }, (_, i) => `s${String(i).padStart(5, '0')}`);
    for (const name of names) makeService(join(scan, name), { logger: logged ? flavour.logger : undefined });
    const dirs = names.flatMap((n) => (logged ? [join('service', n), join('service', n, 'log')] : [join('service', n)]));
    const env = which === 'ours' ? { ...flavour.env, SVSCAN_STOP_ON_TERM: '1' } : flavour.env;
    const started = Date.now();
    const child = startDaemon(flavour.scanner, [scan], { cwd: base, env, logFile: join(base, 'scanner.log') });
    const root = child.pid;
    // Stopped whatever ends the run: its services too, should svscan be killed before them.
    treeStarted(base, root);
    let up = 0;
    let progressAt = Date.now();
    const all = await waitFor(() => {
      const now = upIn(svstat(base, dirs));
      if (now > up) [up, progressAt] = [now, Date.now()];
      if (Date.now() - progressAt > 60000) return 'stalled';
      return now === dirs.length;
    }, { timeoutMs: 15 * 60 * 1000, intervalMs: 500 });
    if (all !== true) throw new Error(`${which}: ${up} of ${dirs.length} up${all === 'stalled' ? ' (no progress for 60 s)' : ''}`);
    const upMs = Date.now() - started;
    const failed = svokFailures(base, dirs);
    if (failed.length > 0) throw new Error(`${which}: C svok failed on ${failed.length} of ${dirs.length} (${failed[0]})`);
    await sleep(SETTLE_MS);
    const procs = tree(root).filter((p) => roleOf(p) !== 'service');
    const pss = procs.reduce((sum, p) => sum + (pssKb(p.pid) ?? 0), 0);
    const fds = { scanner: openFiles(root), tree: procs.reduce((sum, p) => sum + openFiles(p.pid), 0) };
    const before = cpuOf(procs);
    await sleep(windowMs);
    let cpu = 0;
    for (const [pid, ms] of cpuOf(procs)) cpu += ms - (before.get(pid) ?? ms);
    const idle = (cpu * PER_MS) / windowMs;
    // The stop: `down` first, so a supervisor a rescan starts again (C's svscan does, every 5 s)
    // starts nothing; then svc -dx on every one. Every service must end and none be up again.
    const services = tree(root).filter((p) => roleOf(p) === 'service').map((p) => p.pid);
    for (const d of dirs) writeFileSync(join(base, d, 'down'), '');
    const stopAt = Date.now();
    svc(base, ['-dx'], dirs);
    // Ended and reaped (a zombie is a service its supervisor has not seen end yet), and C's
    // svstat shows none up.
    const exists = (pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    let stillUp = -1;
    const stopped = await waitFor(() => services.every((pid) => !exists(pid)) && (stillUp = upIn(svstat(base, dirs))) === 0, { timeoutMs: 5 * 60 * 1000, intervalMs: 500 });
    if (!stopped) throw new Error(`${which}: after svc -dx, ${services.filter(exists).length} services still there, ${stillUp} up`);
    const downMs = Date.now() - stopAt;
    return { count, upMs, downMs, pss, fds, idle, loggers: procs.filter((p) => roleOf(p) === 'logger').length };
  } finally {
    cleanup(base);
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;

export async function scale({ quick, available, named }) {
  const windowMs = quick ? 5000 : 10000;
  const result = group(`8. Scale: ${SHAPES.map((s) => `${s.target.toLocaleString('en')} ${s.label}`).join(', ')} (C: ${C_TABLE.toLocaleString('en')}, its table)`, ['ours', 'C']);
  result.method = `N services (\`exec sleep 100000\`; logged: each with \`multilog t ./main\`) are made, then the scanner is started on them; "up" is the time until C's svstat reports every service (and logger) up, polled every 0.5 s; then C's svok must succeed on every directory. After ${SETTLE_MS / 1000} s the tree (every process but the services) is measured: PSS (smaps_rollup), descriptors (/proc/PID/fd: in the scanner, and in the whole tree), CPU used over ${windowMs / 1000} s (per ${PER_MS / 1000} s). Then a \`down\` file is put in every directory (so a supervisor a rescan starts again starts nothing) and C's \`svc -dx\` is sent to all: "stop" is the time until every service process has ended and been reaped, and C's svstat shows none up. C svscan starts at most ${C_TABLE} (its static table), so C's column is at ${C_TABLE}. Not run under --quick unless named: \`npm run bench -- --only scale\`.`;
  if (quick && !named) {
    result.notes.push('skipped under --quick (minutes long): run `npm run bench -- --only scale`');
    return result;
  }
  const all = flavours(available);
  for (const shape of SHAPES) {
    const got = {};
    const why = {};
    const counts = { ours: oursCount(shape), C: { count: Math.min(shape.target, C_TABLE), why: null } };
    if (counts.ours.why) result.notes.push(counts.ours.why);
    for (const which of ['ours', 'C']) {
      why[which] = missing(all[which]) ?? (which === 'ours' && shape.logged && !available.multilog ? 'our multilog not available' : null);
      if (why[which]) continue;
      try {
        got[which] = await measure(which, all[which], counts[which].count, shape.logged, windowMs);
      } catch (err) {
        why[which] = err.message;
      }
    }
    const row = (figure, show) => {
      const cells = {};
      for (const which of ['ours', 'C']) cells[which] = why[which] ? na(result, `${which}: ${why[which]}`) : show(got[which]);
      result.rows.push({ figure: `${shape.label}: ${figure}`, cells });
    };
    const per = (v, m, digits = 2) => (v / m.count).toFixed(digits);
    row('started (checked by C svstat, svok)', (m) => `${m.count.toLocaleString('en')}${shape.logged ? ` + ${m.count.toLocaleString('en')} loggers` : ''}`);
    row('time to all up', (m) => `${seconds(m.upMs)} (${per(m.upMs, m, 1)} ms each)`);
    row('PSS of the tree, services excluded', (m) => `${mb(m.pss)} (${per(m.pss, m, 1)} kB each)`);
    row('descriptors in svscan', (m) => `${m.fds.scanner.toLocaleString('en')} (${per(m.fds.scanner, m)} each)`);
    row('descriptors in the whole tree', (m) => `${m.fds.tree.toLocaleString('en')} (${per(m.fds.tree, m)} each)`);
    row(`idle CPU per ${PER_MS / 1000} s`, (m) => `${m.idle.toFixed(0)} ms`);
    row('stop on C svc -dx (every service ended, none up)', (m) => seconds(m.downMs));
  }
  result.notes.push(`C svscan's table holds ${C_TABLE} services (svscan.c: "running too many services" past it): its column is at ${C_TABLE}, ours at the count given`);
  return result;
}
