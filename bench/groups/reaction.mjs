// Group 3, reaction: how fast a supervisor acts. `svc -t` to a new pid in supervise/status, the
// restart cadence of a crashing service, a new service directory to up (svscan's rescan), and
// `svc -d` to down; ours against C, each on its own supervise (or svscan) in a temp dir.
import { renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { sleep, waitFor } from '../lib/procs.mjs';
import { group, na, verdict } from '../lib/report.mjs';
import { control, flavours, makeService, missing, readStatus, startSupervise, startTree } from '../lib/services.mjs';
import { fmt, fmtRatio, ratios, scale, summarize } from '../lib/stats.mjs';

const now = () => Number(process.hrtime.bigint()) / 1e6;
/** supervise pauses a second after each start (C's deepsleep); commands wait until it is over. */
const AFTER_START_MS = 1300;
const CRASH_RUN = '#!/bin/sh\necho >>starts\nexit 1\n';
const RESCAN_TARGET_MS = 500;

/** Milliseconds from now until `check()` holds, polling every millisecond; null after `limitMs`. */
async function timeUntil(check, limitMs = 10000) {
  const t0 = now();
  for (;;) {
    if (check()) return now() - t0;
    if (now() - t0 > limitMs) return null;
    await sleep(1);
  }
}

async function restartTimes(dir, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    await sleep(AFTER_START_MS);
    const old = readStatus(dir)?.pid;
    const t0 = now();
    control(dir, 't');
    const changed = () => {
      const pid = readStatus(dir)?.pid;
      return pid > 0 && pid !== old;
    };
    if ((await timeUntil(changed)) === null) throw new Error('no new pid within 10 s of svc -t');
    out.push(now() - t0);
  }
  return out;
}

async function downTimes(dir, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    await sleep(AFTER_START_MS);
    const t0 = now();
    control(dir, 'd');
    if ((await timeUntil(() => readStatus(dir)?.pid === 0)) === null) throw new Error('not down within 10 s of svc -d');
    out.push(now() - t0);
    control(dir, 'u');
    if (!(await waitFor(() => (readStatus(dir)?.pid ?? 0) > 0, { timeoutMs: 10000 }))) throw new Error('not up again after svc -u');
  }
  return out;
}

/** Intervals between starts of a service whose ./run exits at once, over `windowMs`. */
async function crashIntervals(dir, windowMs) {
  const starts = [];
  let size = 0;
  const t0 = now();
  while (now() - t0 < windowMs) {
    let s = 0;
    try {
      s = statSync(join(dir, 'starts')).size;
    } catch {
      // Not started yet.
    }
    if (s > size) starts.push(now());
    size = s;
    await sleep(1);
  }
  return starts.slice(1).map((t, i) => t - starts[i]);
}

/** A new service directory renamed into a running svscan's directory, until its ./run is up. */
async function rescanTimes(flavour, runs, maxDelayMs) {
  const base = tempDir('rescan');
  try {
    await startTree(flavour, base, 1, { logged: false, timeoutMs: 20000 });
    const out = [];
    for (let i = 0; i < runs; i++) {
      // A random phase against the scanner's period, as a service added by hand would have.
      await sleep(Math.random() * maxDelayMs);
      const staged = join(base, `new${i}`);
      makeService(staged);
      const t0 = now();
      renameSync(staged, join(base, 'service', `new${i}`));
      const ms = await timeUntil(() => (readStatus(join(base, 'service', `new${i}`))?.pid ?? 0) > 0, 15000);
      if (ms === null) throw new Error('new service not up within 15 s');
      out.push(now() - t0);
    }
    return out;
  } finally {
    cleanup(base);
  }
}

async function onSupervise(which, runScript, fn) {
  const base = tempDir(`reaction-${which}`);
  try {
    const dir = join(base, 's');
    makeService(dir, { run: runScript });
    await startSupervise(which, dir);
    return await fn(dir);
  } finally {
    cleanup(base);
  }
}

export async function reaction({ quick, available }) {
  const runs = quick ? 5 : 10;
  const rescanRuns = quick ? 3 : 8;
  const crashWindow = quick ? 6000 : 12000;
  const result = group('3. Reaction', ['ours', 'C', 'ours / C', 'target']);
  result.method = `svc -t and svc -d: the command letter is written to supervise/control (what svc does) ${runs} times, ${AFTER_START_MS} ms after the last start, and supervise/status is polled every millisecond; crash cadence: ./run appends to a file and exits 1, the intervals between appends are taken over ${crashWindow / 1000} s; rescan: a service directory is renamed into svscan's directory after a random 0–5 s pause, ${rescanRuns} times, until its status shows a pid (default rescan period: SVSCAN_RESCAN_SECONDS is unset).`;
  const figures = [
    { name: 'svc -t to new pid in status', run: (w) => onSupervise(w, undefined, (d) => restartTimes(d, runs)) },
    { name: 'crashing service: restart interval', run: (w) => onSupervise(w, CRASH_RUN, (d) => crashIntervals(d, crashWindow)), target: '≈ 1 s, as C', check: (ours) => Math.abs(ours.median - 1000) < 150, unit: 's' },
    {
      name: 'new service directory to up (rescan)',
      run: (w) => {
        const flavour = flavours(available)[w];
        const why = missing(flavour);
        if (why) throw new Error(why);
        return rescanTimes(flavour, rescanRuns, 5000);
      },
      target: `ours median < ${RESCAN_TARGET_MS / 1000} s (C: up to 5 s)`,
      check: (ours) => ours.median < RESCAN_TARGET_MS,
      unit: 's',
    },
    { name: 'svc -d to down in status', run: (w) => onSupervise(w, undefined, (d) => downTimes(d, runs)) },
  ];
  for (const f of figures) {
    const series = {};
    const cells = {};
    for (const which of ['ours', 'C']) {
      try {
        series[which] = await f.run(which);
        const stats = summarize(series[which]);
        cells[which] = f.unit === 's' ? fmt(scale(stats, 1 / 1000), 's', 3) : fmt(stats, 'ms');
      } catch (err) {
        cells[which] = na(result, `${which}: ${err.message}`);
      }
    }
    const vsC = series.ours && series.C ? ratios(series.ours, series.C) : null;
    cells['ours / C'] = fmtRatio(vsC);
    const ours = series.ours && summarize(series.ours);
    cells.target = f.target ? verdict(f.target, f.check && ours ? f.check(ours) : null) : '';
    result.rows.push({ figure: f.name, cells });
  }
  return result;
}
