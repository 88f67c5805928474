// A standalone multilog catches SIGTERM and SIGALRM from its first instruction, as C's does: the
// launcher holds both blocked through Node's start-up (native/sigshim.c), so a signal sent the
// moment it starts is acted on, never the default action (death).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ours } from '../helpers/paths.js';
import { linuxOnly } from '../helpers/profile.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** SIGTERM (15: bit 14) is in the process's blocked set. */
function holdsTerm(pid: number): boolean {
  try {
    const m = /^SigBlk:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m !== null && (BigInt(`0x${m[1]}`) & 0x4000n) !== 0n;
  } catch {
    return false;
  }
}

function runAndSignal(signal: NodeJS.Signals, cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(ours('multilog'), ['./m'], { cwd, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.write('line1\n');
    // As soon as the program runs its first instructions (it blocks both right away): the
    // launcher, or Node starting up, has it. Earlier, it would be the forked spawner's or the
    // dynamic loader's, for C's multilog as for ours.
    const end = Date.now() + 2000;
    while (Date.now() < end && !holdsTerm(child.pid!)) {
      // waiting for it to start
    }
    child.kill(signal);
    if (signal !== 'SIGTERM') setTimeout(() => child.kill('SIGTERM'), 1500);
    child.on('exit', (code, sig) => {
      child.stdin.destroy();
      resolve({ code, signal: sig });
    });
  });
}

test.skipIf(linuxOnly('shim')).each([1, 2, 3, 4, 5])('SIGTERM the moment it starts (try %i): the line is logged, exit 0', async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlterm-'));
  expect(await runAndSignal('SIGTERM', dir)).toEqual({ code: 0, signal: null });
  expect(readFileSync(join(dir, 'm', 'current'), 'latin1')).toBe('line1\n');
});

test.skipIf(linuxOnly('shim'))('SIGALRM the moment it starts: it lives on, and rotates once it has read', async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlalrm-'));
  expect(await runAndSignal('SIGALRM', dir)).toEqual({ code: 0, signal: null });
  const files = readdirSync(join(dir, 'm'));
  expect(files.filter((f) => f.startsWith('@')).length).toBe(1);
});
