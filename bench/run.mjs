#!/usr/bin/env node
// The benchmark: our daemontools against C daemontools 0.76 (and runit, s6, pm2) on this machine,
// every figure a ratio measured in one run. `npm run bench -- [--quick] [--only GROUP[,GROUP]]
// [--write] [--build]`; --write regenerates BENCHMARKS.md, from a full run on a quiet machine only
// (bench/lib/trust.mjs). Never part of `npm test`.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, installCleanup } from './lib/cleanup.mjs';
import { describeMachine, staleBuild } from './lib/machine.mjs';
import { probeOurs } from './lib/probe.mjs';
import { killAll } from './lib/procs.mjs';
import { group, textTable } from './lib/report.mjs';
import { ROOT } from './lib/services.mjs';
import { startup } from './groups/startup.mjs';
import { memory } from './groups/memory.mjs';
import { reaction } from './groups/reaction.mjs';
import { logging } from './groups/logging.mjs';
import { idle } from './groups/idle.mjs';
import { descriptors } from './groups/descriptors.mjs';
import { scale } from './groups/scale.mjs';
import { absence } from './groups/absence.mjs';
import { markdown } from './lib/markdown.mjs';
import { MAX_LOAD, load1, refuseAfter, refuseBefore, settledLoad } from './lib/trust.mjs';

const GROUPS = { startup, memory, reaction, logging, idle, descriptors, absence, scale };
const GROUP_TIMEOUT_MS = 30 * 60 * 1000;

function usage(code) {
  process.stdout.write(
    `usage: npm run bench -- [--quick] [--only ${Object.keys(GROUPS).join('|')}[,...]] [--write] [--build]\n` +
      '  --quick  fewer runs, shorter windows (scale, minutes long, is left out unless named in --only)\n' +
      '  --only   run only these groups (10,000 services: --only scale)\n' +
      `  --write  regenerate BENCHMARKS.md: only from a full run (every group but scale, not --quick)\n` +
      `           with the 1-minute load average below ${MAX_LOAD} at its start and at its end\n` +
      '  --build  compile dist/ and bin/ first (npm run compile)\n',
  );
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { quick: false, write: false, build: false, only: Object.keys(GROUPS), named: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--write') opts.write = true;
    else if (a === '--build') opts.build = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[++i] : a.slice(7);
      opts.only = (value ?? '').split(',').filter(Boolean);
      opts.named = true;
      if (opts.only.length === 0 || opts.only.some((g) => !(g in GROUPS))) usage(100);
    } else if (a === '--help' || a === '-h') usage(0);
    else usage(100);
  }
  return opts;
}

async function withTimeout(promise, ms, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} took over ${ms / 60000} minutes`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Says why BENCHMARKS.md is not written, and fails the run. */
function refuse(why) {
  process.stderr.write(`bench: not writing BENCHMARKS.md: ${why}\n`);
  process.exitCode = 1;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const loadStart = load1();
  if (opts.write) {
    const why = refuseBefore({ ...opts, all: Object.keys(GROUPS) }, loadStart);
    if (why) return refuse(why);
  }
  installCleanup();
  if (opts.build) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    execFileSync(process.execPath, ['scripts/bundle.cjs'], { cwd: ROOT, stdio: 'inherit' });
    execFileSync(process.execPath, ['scripts/install-bin.cjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  const stale = staleBuild();
  if (stale) process.stderr.write(`bench: warning: ${stale}\n`);
  const started = Date.now();
  const machine = describeMachine();
  machine.loadStart = loadStart;
  process.stdout.write(`machine: ${machine.cpus} CPUs (${machine.model}), ${machine.memory}, Linux ${machine.kernel}, node ${machine.node}, load ${machine.load}\n`);
  if (machine.dropped.length) process.stdout.write(`left out of the measured programs' environment: ${machine.dropped.join(', ')}\n`);
  const available = await probeOurs();
  for (const [prog, why] of Object.entries(available.why)) if (why) process.stdout.write(`ours: ${prog}: ${why}\n`);
  process.stdout.write('\n');

  const results = [];
  for (const name of opts.only) {
    let result;
    const groupStart = Date.now();
    try {
      result = await withTimeout(GROUPS[name]({ quick: opts.quick, available, named: opts.named }), GROUP_TIMEOUT_MS, name);
    } catch (err) {
      result = group(name, []);
      result.notes.push(`n/a (group failed: ${err.message})`);
    } finally {
      killAll();
    }
    result.seconds = Math.round((Date.now() - groupStart) / 1000);
    results.push(result);
    process.stdout.write(`${textTable(result)}\n`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const lastLoad = load1();
  // The last group's own load decays before the end is judged (a written run only).
  machine.loadEnd = opts.write ? await settledLoad() : lastLoad;
  const settled = machine.loadEnd === lastLoad ? '' : ` (${lastLoad.toFixed(2)} when the last group ended, its own processes; ${machine.loadEnd.toFixed(2)} once they were gone)`;
  process.stdout.write(`done in ${seconds} s; load average (1 min) ${machine.loadStart.toFixed(2)} at the start, ${machine.loadEnd.toFixed(2)} at the end${settled}\n`);
  const late = opts.write && refuseAfter(machine.loadEnd);
  if (late) refuse(late);
  else if (opts.write) {
    const file = join(ROOT, 'BENCHMARKS.md');
    writeFileSync(file, markdown({ results, machine, opts, seconds, available }));
    process.stdout.write(`wrote ${file}\n`);
  }
  cleanup();
}

await main();
