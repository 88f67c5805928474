// The start gate (src/lib/supervise/gate.ts, native/launcher.c): ./run starts only once its
// supervisor has recorded it, and never when the supervisor dies before that.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { native } from '../../src/native/index.js';
import { launcherPath } from '../../src/native/launcher.js';
import { spawnRecorded } from '../../src/lib/supervise/gate.js';
import { ROOT } from '../helpers/paths.js';

const n = native();
const plain = { ignore: [], mask: [], rlimits: [], fds: [] };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function waitExit(pid: number): { code: number | null; signal: number | null } {
  const r = n.waitpid(pid, 0)!;
  return { code: r.code, signal: r.signal };
}

describe.skipIf(launcherPath() === null)('spawnRecorded', () => {
  test('the child runs only after the record is written, with the pid recorded', () => {
    const marker = join(dir, 'ran');
    const run = script('run', `echo $$ > ${marker}`);
    let seenBefore: boolean | undefined;
    let recorded = 0;
    const started = spawnRecorded(n, run, [run], [], plain, (pid) => {
      recorded = pid;
      const until = Date.now() + 300;
      while (Date.now() < until) {
        // the child is waiting at the gate all this time
      }
      seenBefore = existsSync(marker);
    });
    expect(started.execErrno).toBe(0);
    expect(recorded).toBe(started.pid);
    expect(seenBefore).toBe(false);
    expect(waitExit(started.pid)).toEqual({ code: 0, signal: null });
    // exec keeps the pid: the recorded pid is the one ./run runs as
    expect(readFileSync(marker, 'latin1').trim()).toBe(String(started.pid));
  });

  test('execve errors of the file itself come back as its errno', () => {
    const missing = join(dir, 'missing');
    const started = spawnRecorded(n, missing, [missing], [], plain, () => {});
    expect(started.execErrno).toBe(2 /* ENOENT */);
    expect(waitExit(started.pid)).toEqual({ code: 111, signal: null });
    const notExec = join(dir, 'plain');
    writeFileSync(notExec, 'x');
    const again = spawnRecorded(n, notExec, [notExec], [], plain, () => {});
    expect(again.execErrno).toBe(13 /* EACCES */);
    waitExit(again.pid);
  });

  test('the program gets the same descriptors and argv as a direct spawn', () => {
    const run = script('fds', 'ls /proc/self/fd > "$1"; echo "$0" >> "$1"');
    const gated = spawnRecorded(n, run, [run, join(dir, 'gated')], [], plain, () => {});
    waitExit(gated.pid);
    const direct = n.spawn(run, [run, join(dir, 'direct')], [], plain);
    waitExit(direct.pid);
    expect(readFileSync(join(dir, 'gated'), 'latin1')).toBe(readFileSync(join(dir, 'direct'), 'latin1'));
  });

  test('a supervisor killed before its record is written leaves nothing running', () => {
    const marker = join(dir, 'ran');
    const run = script('run', `echo started > ${marker}; exec sleep 30`);
    const pidFile = join(dir, 'child');
    // A stand-in supervisor: spawns through the gate and is SIGKILLed inside the record step.
    const code = `
      const { spawnRecorded } = require(${JSON.stringify(join(ROOT, 'dist/lib/supervise/gate.js'))});
      const { native } = require(${JSON.stringify(join(ROOT, 'dist/native/index.js'))});
      spawnRecorded(native(), ${JSON.stringify(run)}, [${JSON.stringify(run)}], [], { ignore: [], mask: [], rlimits: [], fds: [] }, (pid) => {
        require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(pid));
        process.kill(process.pid, 'SIGKILL');
      });`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'latin1' });
    expect(r.signal).toBe('SIGKILL');
    const child = Number(readFileSync(pidFile, 'latin1'));
    // The orphan leaves the gate at once (end of file); give it a moment to be reaped by init.
    const until = Date.now() + 2000;
    while (Date.now() < until && isAlive(child)) spawnSync('sleep', ['0.05']);
    expect(isAlive(child)).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
