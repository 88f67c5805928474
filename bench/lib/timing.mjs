// Wall-clock time of short commands: hyperfine (no shell, warm-up runs) where installed, else a
// spawnSync loop timed with process.hrtime.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnv } from './procs.mjs';

export const HYPERFINE = ['/usr/bin/hyperfine', '/usr/local/bin/hyperfine'].find((f) => existsSync(f)) ?? null;

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function withHyperfine(commands, { runs, warmup, dir, env }) {
  const json = join(dir, `hyperfine-${Date.now()}.json`);
  const args = ['-N', '-i', '--style', 'none', '--warmup', String(warmup), '--runs', String(runs), '--export-json', json];
  for (const [name, argv] of Object.entries(commands)) args.push('--command-name', name, argv.map(quote).join(' '));
  const r = spawnSync(HYPERFINE, args, { env, encoding: 'utf8', timeout: 600000 });
  if (r.status !== 0) throw new Error(`hyperfine failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
  const out = {};
  for (const result of JSON.parse(readFileSync(json, 'utf8')).results) out[result.command] = result.times.map((s) => s * 1000);
  return out;
}

function withLoop(commands, { runs, warmup, env }) {
  const out = {};
  for (const [name, [file, ...args]] of Object.entries(commands)) {
    out[name] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = process.hrtime.bigint();
      spawnSync(file, args, { env, stdio: 'ignore', timeout: 30000 });
      if (i >= warmup) out[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return out;
}

/** Times each of `commands` ({name: argv}) `runs` times; returns {name: [ms, ...]}. */
export function timeCommands(commands, { runs = 20, warmup = 3, dir, env = benchEnv() } = {}) {
  if (Object.keys(commands).length === 0) return {};
  return HYPERFINE ? withHyperfine(commands, { runs, warmup, dir, env }) : withLoop(commands, { runs, warmup, env });
}

export const timerName = () => (HYPERFINE ? 'hyperfine -N' : 'spawnSync loop (hyperfine not installed)');
