// Wall-clock time of short commands, interleaved: every command runs once per cycle, so that ratios
// between commands are taken on runs made within the same second.
import { spawnSync } from 'node:child_process';
import { benchEnv } from './procs.mjs';

/** One run of argv, its wall-clock time in ms (spawnSync, no shell, output discarded). */
function timeOnce([file, ...args], env) {
  const t0 = process.hrtime.bigint();
  spawnSync(file, args, { env, stdio: 'ignore', timeout: 30000 });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Times `commands` ({name: argv}) interleaved: `cycles` cycles, each running every command once,
 * the order rotated by one each cycle so that no command always follows the same one. Returns
 * {name: [ms of cycle 0, ms of cycle 1, ...]}: entry i of two commands ran within the same second,
 * so their ratio cancels a shared machine's drift, which timing one command's runs after another's
 * (hyperfine's way) leaves in. Each time includes the spawn from this process, a few ms, the same
 * for every command (`spawnFloor` measures it).
 */
export function timeInterleaved(commands, { cycles, warmup = 2, env = benchEnv() }) {
  const names = Object.keys(commands);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let w = 0; w < warmup; w++) for (const n of names) timeOnce(commands[n], env);
  for (let c = 0; c < cycles; c++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(c + k) % names.length];
      out[n].push(timeOnce(commands[n], env));
    }
  }
  return out;
}

/** The median wall time (ms) of spawning /bin/true from this process: the floor of timeInterleaved. */
export function spawnFloor(runs = 20, env = benchEnv()) {
  const ms = [];
  for (let i = 0; i < runs; i++) ms.push(timeOnce(['/bin/true'], env));
  ms.sort((a, b) => a - b);
  return ms[ms.length >> 1];
}
