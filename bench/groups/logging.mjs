// Group 4, logging: tai64n and multilog throughput on 1,000,000 lines (~75 MB), ours against C,
// with every output line counted; and multilog's RSS while it is fed without end.
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../lib/cleanup.mjs';
import { rssKb } from '../lib/proctree.mjs';
import { benchEnv, reasonOf, run, sleep } from '../lib/procs.mjs';
import { group, na, verdict } from '../lib/report.mjs';
import { OURS_BIN, oursEnv } from '../lib/services.mjs';
import { fmt, fmtKb, fmtRatio, ratios, summarize } from '../lib/stats.mjs';

const LINES = 1_000_000;
const FILLER = 'the quick brown fox jumps over the lazy dog, 0123456789 ABCDEFGHIJ';
/** 75 bytes a line: a counter, a space, the filler, a newline. */
const line = (i) => `${String(i).padStart(7, '0')} ${FILLER}\n`;
const MULTILOG_SCRIPT = ['t', 's16777215', 'n20', './log'];
const ENDLESS_SCRIPT = ['t', 's1000000', 'n5', './endless'];

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

/** Feeds multilog for `seconds` as fast as it reads, sampling its RSS: {samples kB, mb fed}. */
async function endless(which, dir, seconds) {
  const { file, env } = programs[which]('multilog');
  const child = spawn(file, ENDLESS_SCRIPT, { cwd: dir, env, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => child.on('close', resolve));
  const chunk = Buffer.from(Array.from({ length: 14000 }, (_, i) => line(i)).join(''));
  const samples = [];
  let fed = 0;
  let stop = false;
  const sampler = (async () => {
    for (let t = 0; t < seconds * 4 && !stop; t++) {
      await sleep(250);
      const kb = rssKb(child.pid);
      if (kb !== null) samples.push(kb);
    }
    stop = true;
  })();
  while (!stop && child.exitCode === null) {
    fed += chunk.length;
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  await sampler;
  child.stdin.end();
  const code = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20000, 'slow').unref())]);
  // Still writing its backlog 20 s after EOF is no failure here: the samples are what counts.
  if (samples.length < 4 || (code !== 0 && code !== 'slow')) throw new Error(reasonOf(stderr, code));
  return { samples, mbPerS: fed / 2 ** 20 / seconds };
}

/** Flat: after the first quarter of the run, RSS grows by less than 10% (and 2 MB). */
function flatness(samples) {
  const settled = samples[Math.floor(samples.length / 4)];
  const max = Math.max(...samples.slice(Math.floor(samples.length / 4)));
  return { settled, max, last: samples.at(-1), flat: max - settled < Math.max(2048, settled * 0.1) };
}

export async function logging({ quick }) {
  const runs = quick ? 1 : 3;
  const seconds = quick ? 5 : 20;
  const result = group('4. Logging', ['ours', 'C', 'ours / C', 'lines out (ours, C)', 'target']);
  result.method = `${LINES.toLocaleString('en')} lines of 75 bytes in a file on the temp dir's filesystem, fed as stdin; tai64n writes to a file, multilog (\`multilog ${MULTILOG_SCRIPT.join(' ')}\`) to its directory; wall time of each run (${runs} run(s) each), with the output's lines counted (for multilog across every rotated file and current). Endless input: \`multilog ${ENDLESS_SCRIPT.join(' ')}\` fed as fast as it reads for ${seconds} s, VmRSS sampled every 250 ms.`;
  const base = tempDir('logging');
  try {
    const input = makeInput(base);
    const mb = input.bytes / 2 ** 20;
    for (const [prog, args] of [['tai64n', []], ['multilog', MULTILOG_SCRIPT]]) {
      const series = { ours: [], C: [] };
      const counts = {};
      const why = {};
      for (let r = 0; r < runs; r++) {
        for (const which of ['ours', 'C']) {
          if (why[which]) continue;
          const dir = join(base, `${prog}-${which}-${r}`);
          try {
            mkdirSync(dir);
            const { ms, lines } = await pass(which, prog, args, input.file, dir);
            series[which].push(ms);
            counts[which] = Math.min(counts[which] ?? Infinity, lines);
          } catch (err) {
            why[which] = err.message;
          } finally {
            cleanup(dir);
          }
        }
      }
      const cell = (which) => {
        if (why[which]) return na(result, `${which} ${prog}: ${why[which]}`);
        const s = summarize(series[which]);
        return `${fmt(s, 'ms')}, ${(mb / (s.median / 1000)).toFixed(0)} MB/s`;
      };
      const lossless = (which) => (counts[which] === undefined ? 'n/a' : `${counts[which]}${counts[which] === LINES ? ' ✓' : ' ✗'}`);
      const vsC = why.ours || why.C ? null : ratios(series.ours, series.C);
      result.rows.push({
        figure: `${prog} ${args.join(' ')} < ${(input.bytes / 1e6).toFixed(0)} MB`.replace('  ', ' '),
        cells: {
          ours: cell('ours'),
          C: cell('C'),
          'ours / C': fmtRatio(vsC),
          'lines out (ours, C)': `${lossless('ours')}, ${lossless('C')}`,
          target: verdict('lossless', counts.ours === undefined ? null : counts.ours === LINES),
        },
      });
    }
    const rss = {};
    const cells = {};
    for (const which of ['ours', 'C']) {
      const dir = join(base, `endless-${which}`);
      try {
        mkdirSync(dir);
        const { samples, mbPerS } = await endless(which, dir, seconds);
        rss[which] = flatness(samples);
        cells[which] = `${fmtKb({ median: rss[which].settled, n: 1 })} → ${fmtKb({ median: rss[which].last, n: 1 })} (max ${fmtKb({ median: rss[which].max, n: 1 })}), ${mbPerS.toFixed(0)} MB/s`;
      } catch (err) {
        cells[which] = na(result, `${which} multilog (endless): ${err.message}`);
      } finally {
        cleanup(dir);
      }
    }
    cells['ours / C'] = rss.ours && rss.C ? fmtRatio(summarize([rss.ours.max / rss.C.max])) : 'n/a';
    cells.target = verdict('RSS flat', rss.ours ? rss.ours.flat : null);
    if (rss.C && !rss.C.flat) result.notes.push("C multilog's RSS was not flat either");
    result.rows.push({ figure: `multilog RSS, endless input for ${seconds} s`, cells });
    result.notes.push('endless input: RSS after the first quarter → at the end (max after the first quarter); the ratio is of the maxima; "flat" means it grew by less than 10% (and 2 MB) after the first quarter');
  } finally {
    cleanup(base);
  }
  return result;
}
