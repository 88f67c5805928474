// Group 4, logging: tai64n and multilog throughput on 1,000,000 lines (~75 MB), ours against C,
// with every output line counted; and multilog's RSS while it is fed without end.
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { rssKb } from '../lib/proctree.mjs';
import { benchEnv, reasonOf, run, startDaemon, waitFor } from '../lib/procs.mjs';
import { group, na, verdict } from '../lib/report.mjs';
import { makeService, OURS_BIN, oursEnv } from '../lib/services.mjs';
import { fmt, fmtKb, fmtRatio, ratios, summarize } from '../lib/stats.mjs';

const LINES = 1_000_000;
const FILLER = 'the quick brown fox jumps over the lazy dog, 0123456789 ABCDEFGHIJ';
/** 75 bytes a line: a counter, a space, the filler, a newline. */
const line = (i) => `${String(i).padStart(7, '0')} ${FILLER}\n`;
const MULTILOG_SCRIPT = ['t', 's16777215', 'n20', './log'];
const ENDLESS_SCRIPT = ['t', 's16777215', 'n5', './endless'];

const programs = {
  ours: (prog) => ({ file: `${OURS_BIN}/${prog}`, env: oursEnv() }),
  C: (prog) => ({ file: `/usr/bin/${prog}`, env: benchEnv() }),
};

function makeInput(dir) {
  const file = join(dir, 'input');
  const chunk = [];
  const fd = openSync(file, 'w');
  for (let i = 0; i < LINES; i++) {
    chunk.push(line(i));
    if (chunk.length === 10000) writeFileSync(fd, chunk.splice(0).join(''));
  }
  writeFileSync(fd, chunk.join(''));
  closeSync(fd);
  return { file, bytes: LINES * line(0).length };
}

async function countLines(file) {
  let n = 0;
  for await (const buf of createReadStream(file)) for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** One timed pass of `prog args` over the input: {ms, lines} (lines counted in its output). */
async function pass(which, prog, args, input, dir) {
  const { file, env } = programs[which](prog);
  const inFd = openSync(input, 'r');
  const out = join(dir, 'out');
  const outFd = openSync(out, 'w');
  let r;
  try {
    r = await run(file, args, { cwd: dir, env, stdin: inFd, stdout: outFd, timeoutMs: 300000 });
  } finally {
    closeSync(inFd);
    closeSync(outFd);
  }
  if (r.code !== 0) throw new Error(reasonOf(r.stderr, r.code ?? r.signal));
  if (prog === 'tai64n') return { ms: r.ms, lines: await countLines(out) };
  let lines = 0;
  const logdir = join(dir, 'log');
  for (const name of readdirSync(logdir)) if (name === 'current' || name.startsWith('@')) lines += await countLines(join(logdir, name));
  return { ms: r.ms, lines };
}

/** A TAI64N stamp and its space, which `t` puts before each line. */
const STAMP_BYTES = 26;

/** Wall-clock milliseconds since the epoch, to the microsecond: the clock `date +%s%N` reads. */
const wallMs = () => performance.timeOrigin + performance.now();

/**
 * One timed pass of a logged service under svscan (ours: the logger hosted in svscan; C: svscan,
 * supervise and multilog): the service notes the time (`date +%s%N`, the realtime clock) and
 * `cat`s the input to its stdout. Timed until every stamped byte is in the log directory:
 * `ms` from the service's start (the log path: pipe, logger, disk), `scanMs` from svscan's
 * start, and `startMs` from svscan's start to the service's (start-up, scan, supervisors):
 * {ms, scanMs, startMs, lines}.
 */
async function hostedPass(which, input, dir) {
  const sv = join(dir, 'sv');
  const started = join(dir, 'started');
  makeService(join(sv, 's'), { run: `#!/bin/sh\ndate +%s%N > ${started}\ncat ${input.file}\nexec sleep 100000\n`, logger: `multilog ${MULTILOG_SCRIPT.join(' ')}` });
  const logdir = join(sv, 's', 'log', 'log');
  const want = input.bytes + LINES * STAMP_BYTES;
  const onDisk = () => {
    let bytes = 0;
    try {
      for (const name of readdirSync(logdir)) if (name === 'current' || name.startsWith('@')) bytes += statSync(join(logdir, name)).size;
    } catch {
      // not made yet
    }
    return bytes;
  };
  const env = which === 'ours' ? oursEnv() : benchEnv();
  const t0 = wallMs();
  startDaemon(which === 'ours' ? `${OURS_BIN}/svscan` : '/usr/bin/svscan', [sv], { cwd: dir, env });
  const done = await waitFor(() => onDisk() >= want, { timeoutMs: 120000, intervalMs: 5 });
  const t1 = wallMs();
  if (!done) throw new Error(`only ${onDisk()} of ${want} bytes logged in 120 s`);
  const ns = /^([0-9]+)\s*$/.exec(readFileSync(started, 'latin1'));
  if (!ns) throw new Error('the service did not note its start');
  const serviceAt = Number(BigInt(ns[1]) / 1000n) / 1000;
  let lines = 0;
  for (const name of readdirSync(logdir)) if (name === 'current' || name.startsWith('@')) lines += await countLines(join(logdir, name));
  return { ms: t1 - serviceAt, scanMs: t1 - t0, startMs: serviceAt - t0, lines };
}

/**
 * Feeds multilog `mb` then `10 * mb` megabytes as fast as it reads them (or until `limitS`
 * seconds), reading its RSS as each mark is passed: {early, late, hwm} kB, MB fed, MB/s.
 */
async function endless(which, dir, mb, limitS) {
  const { file, env } = programs[which]('multilog');
  const child = spawn(file, ENDLESS_SCRIPT, { cwd: dir, env, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => child.on('close', resolve));
  const chunk = Buffer.from(Array.from({ length: 14000 }, (_, i) => line(i)).join(''));
  const marks = [mb * 2 ** 20, 10 * mb * 2 ** 20];
  const rss = [];
  let fed = 0;
  const t0 = Date.now();
  while (rss.length < marks.length && child.exitCode === null && Date.now() - t0 < limitS * 1000) {
    fed += chunk.length;
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    if (fed >= marks[rss.length]) rss.push(rssKb(child.pid));
  }
  const seconds = (Date.now() - t0) / 1000;
  const hwm = hwmKb(child.pid);
  child.stdin.end();
  const code = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20000, 'slow').unref())]);
  if (rss.length < marks.length || rss.includes(null) || code !== 0) {
    if (code === 'slow') child.kill('SIGKILL');
    throw new Error(rss.length < marks.length ? `fed only ${(fed / 2 ** 20).toFixed(0)} MB in ${limitS} s` : reasonOf(stderr, code));
  }
  return { early: rss[0], late: rss[1], hwm, mbPerS: fed / 2 ** 20 / seconds };
}

function hwmKb(pid) {
  try {
    const m = /^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The physical ceiling for the same bytes on the same machine, timed like a pass: reading the
 * input (`cat FILE > /dev/null`) and copying it to the log directories' filesystem, made durable
 * as multilog makes each full file (`dd bs=1M conv=fsync`): {read, write} in ms.
 */
async function ceiling(input, dir) {
  const devNull = openSync('/dev/null', 'w');
  const inFd = openSync(input, 'r');
  let read;
  let write;
  try {
    read = await run('/bin/cat', [input], { stdout: devNull, timeoutMs: 120000 });
    write = await run('/bin/dd', [`if=${input}`, `of=${join(dir, 'copy')}`, 'bs=1M', 'conv=fsync'], { stdin: inFd, stdout: devNull, timeoutMs: 120000 });
  } finally {
    closeSync(devNull);
    closeSync(inFd);
  }
  for (const r of [read, write]) if (r.code !== 0) throw new Error(reasonOf(r.stderr, r.code ?? r.signal));
  return { read: read.ms, write: write.ms };
}

/** The throughput target: our time at most half C's. */
const HALF_OF_C = 0.5;

/** Flat: from the first mark to the tenth, RSS grows by at most 2 MB. */
const FLAT_KB = 2048;

export async function logging({ quick }) {
  const runs = quick ? 1 : 3;
  const endlessMb = quick ? 64 : 256;
  const result = group('4. Logging', ['ours', 'C', 'ours / C', 'lines out (ours, C)', 'target']);
  result.method = `${LINES.toLocaleString('en')} lines of 75 bytes in a file on the temp dir's filesystem, fed as stdin; tai64n writes to a file, multilog (\`multilog ${MULTILOG_SCRIPT.join(' ')}\`) to its directory; wall time of each run (${runs} run(s) each), with the output's lines counted (for multilog across every rotated file and current). Under svscan (a service that cats the input, its logger that multilog): timed from the service's start (its run script notes the time before the cat) until every stamped byte is in the log directory, so the figure is the log path's (pipe, the logger's start, engine, disk) for ours and C alike; svscan's own start-up to the service's start (Node's for ours) is shown beside it, and a second row gives the same runs from svscan's start. Endless input: \`multilog ${ENDLESS_SCRIPT.join(' ')}\` fed as fast as it reads, VmRSS read once ${endlessMb} MB and once ${10 * endlessMb} MB were fed.`;
  const base = tempDir('logging');
  try {
    const input = makeInput(base);
    const mb = input.bytes / 2 ** 20;
    const ceilings = { read: [], write: [] };
    let noCeiling = null;
    for (let r = 0; r < runs; r++) {
      const dir = join(base, `ceiling-${r}`);
      try {
        mkdirSync(dir);
        const c = await ceiling(input.file, dir);
        ceilings.read.push(c.read);
        ceilings.write.push(c.write);
      } catch (err) {
        noCeiling = err.message;
      } finally {
        cleanup(dir);
      }
    }
    for (const [what, figure] of [
      ['read', `ceiling: cat ${(input.bytes / 1e6).toFixed(0)} MB > /dev/null`],
      ['write', `ceiling: dd ${(input.bytes / 1e6).toFixed(0)} MB to the same filesystem, conv=fsync`],
    ]) {
      const s = summarize(ceilings[what]);
      const cell = noCeiling || !s ? na(result, `${figure}: ${noCeiling ?? 'no run'}`) : `${fmt(s, 'ms')}, ${(mb / (s.median / 1000)).toFixed(0)} MB/s`;
      result.rows.push({ figure, cells: { ours: cell, C: cell, 'ours / C': 'n/a', 'lines out (ours, C)': 'n/a', target: 'the machine' } });
    }
    for (const [prog, args] of [['tai64n', []], ['multilog', MULTILOG_SCRIPT], ['svscan', MULTILOG_SCRIPT]]) {
      const series = { ours: [], C: [] };
      /** Under svscan, the same runs from svscan's start, and svscan's start to the service's. */
      const fromScan = { ours: [], C: [] };
      const startUp = { ours: [], C: [] };
      const counts = {};
      const why = {};
      for (let r = 0; r < runs; r++) {
        for (const which of ['ours', 'C']) {
          if (why[which]) continue;
          const dir = join(base, `${prog}-${which}-${r}`);
          try {
            mkdirSync(dir);
            const { ms, lines, scanMs, startMs } = prog === 'svscan' ? await hostedPass(which, input, dir) : await pass(which, prog, args, input.file, dir);
            series[which].push(ms);
            if (scanMs !== undefined) {
              fromScan[which].push(scanMs);
              startUp[which].push(startMs);
            }
            counts[which] = Math.min(counts[which] ?? Infinity, lines);
          } catch (err) {
            why[which] = err.message;
          } finally {
            cleanup(dir);
          }
        }
      }
      const cell = (which, values = series[which]) => {
        if (why[which]) return na(result, `${which} ${prog}: ${why[which]}`);
        const s = summarize(values);
        return `${fmt(s, 'ms')}, ${(mb / (s.median / 1000)).toFixed(0)} MB/s`;
      };
      const startCell = (which) => (why[which] ? '?' : fmt(summarize(startUp[which]), 'ms'));
      const lossless = (which) => (counts[which] === undefined ? 'n/a' : `${counts[which]}${counts[which] === LINES ? ' ✓' : ' ✗'}`);
      const vsC = why.ours || why.C ? null : ratios(series.ours, series.C);
      result.rows.push({
        figure:
          prog === 'svscan'
            ? `a service under svscan, logged by multilog ${args.join(' ')}: ${(input.bytes / 1e6).toFixed(0)} MB, from the service's start (svscan's start-up before it: ours ${startCell('ours')}, C ${startCell('C')})`
            : `${prog} ${args.join(' ')} < ${(input.bytes / 1e6).toFixed(0)} MB`.replace('  ', ' '),
        cells: {
          ours: cell('ours'),
          C: cell('C'),
          'ours / C': fmtRatio(vsC),
          'lines out (ours, C)': `${lossless('ours')}, ${lossless('C')}`,
          target: `${verdict('lossless', counts.ours === undefined ? null : counts.ours === LINES)}; ${verdict(`≤ ${HALF_OF_C}× C`, vsC ? vsC.median <= HALF_OF_C : null)}`,
        },
      });
      if (prog !== 'svscan') continue;
      const vsCScan = why.ours || why.C ? null : ratios(fromScan.ours, fromScan.C);
      result.rows.push({
        figure: `the same runs from svscan's start (its start-up included: ours ${startCell('ours')}, C ${startCell('C')})`,
        cells: { ours: cell('ours', fromScan.ours), C: cell('C', fromScan.C), 'ours / C': fmtRatio(vsCScan), 'lines out (ours, C)': 'as above', target: 'none (for reference)' },
      });
    }
    const rss = {};
    const cells = {};
    for (const which of ['ours', 'C']) {
      const dir = join(base, `endless-${which}`);
      try {
        mkdirSync(dir);
        rss[which] = await endless(which, dir, endlessMb, quick ? 60 : 180);
        const r = rss[which];
        cells[which] = `${fmtKb({ median: r.early, n: 1 })} → ${fmtKb({ median: r.late, n: 1 })} (peak ${fmtKb({ median: r.hwm ?? NaN, n: 1 })}), ${r.mbPerS.toFixed(0)} MB/s`;
      } catch (err) {
        cells[which] = na(result, `${which} multilog (endless): ${err.message}`);
      } finally {
        cleanup(dir);
      }
    }
    cells['ours / C'] = rss.ours && rss.C ? fmtRatio(summarize([rss.ours.late / rss.C.late])) : 'n/a';
    cells.target = verdict('RSS flat', rss.ours ? rss.ours.late - rss.ours.early <= FLAT_KB : null);
    result.rows.push({ figure: `multilog RSS after ${endlessMb} MB → after ${10 * endlessMb} MB`, cells });
    result.notes.push(
      'under svscan: the service notes the time (`date +%s%N`) and cats the input to its stdout, the logger is multilog (ours hosted in our svscan; C: svscan, supervise, multilog); wall time from the service\'s start until every stamped byte is in the log directory (the log path: pipe, logger start, engine, disk; the target is judged on it); the next row times the same runs from svscan\'s start (for ours Node\'s start-up, ~0.2 s, is in it), and both rows say how long svscan took to start the service',
    );
    result.notes.push('ceiling: the same input read by cat (to /dev/null) and copied by dd (1 MB blocks, fsync at the end) into the temp dir, where the log directories are: the machine\'s own limits for this run, in both columns');
    result.notes.push(`endless input: VmRSS when ${endlessMb} MB and when ${10 * endlessMb} MB were fed (peak: VmHWM at the end); the ratio is of the second readings; "flat" means ours grew by at most 2 MB in between`);
  } finally {
    cleanup(base);
  }
  return result;
}
