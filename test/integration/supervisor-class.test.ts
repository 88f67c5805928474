// The Supervisor class as svscan will use it: many supervisors in one Node process, each owning
// its directory as a C supervise would, a log pipe for ./run's stdout, and Node's own children
// left alone by the shared reaper.
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { native, type ExecPlan } from '../../src/native/index.js';
import { decodeStatus } from '../../src/lib/status.js';
import { sendCommands } from '../../src/lib/control.js';
import { Supervisor, SuperviseStartError, type Problem, type SupervisorOptions } from '../../src/lib/supervise/supervisor.js';
import { watchedCount } from '../../src/lib/proc/reaper.js';

const root = mkdtempSync(join(tmpdir(), 'dt-supervisor-'));
const PLAN: ExecPlan = { ignore: [], mask: [], rlimits: [], fds: [] };
const ENV = [Buffer.from('PATH=/usr/bin:/bin')];
const SLEEPER = '#!/bin/sh\necho $$ >> pids\nexec sleep 1000\n';

const live: Supervisor[] = [];
afterEach(() => {
  for (const s of live) {
    const pid = s.pid;
    s.stop();
    try {
      if (pid !== 0) process.kill(pid, 'SIGKILL');
    } catch {
      // Exited already.
    }
  }
  live.length = 0;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let serial = 0;
function serviceDir(run = SLEEPER): { name: string; path: string } {
  const name = `svc${++serial}`;
  const path = join(root, name);
  mkdirSync(path);
  writeFileSync(join(path, 'run'), run);
  chmodSync(join(path, 'run'), 0o755);
  return { name, path };
}

function supervise(path: string, name: string, options: Partial<SupervisorOptions> = {}): Supervisor {
  const s = new Supervisor(name, { path, env: ENV, plan: PLAN, ...options });
  live.push(s);
  s.start();
  return s;
}

const status = (path: string) => decodeStatus(readFileSync(join(path, 'supervise/status')));
const pids = (path: string): number[] => {
  try {
    return readFileSync(join(path, 'pids'), 'latin1').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

async function until(what: string, probe: () => boolean, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Supervisor', () => {
  test('forty services in one process, each on its own', { timeout: 60000 }, async () => {
    const dirs = Array.from({ length: 40 }, () => serviceDir());
    const ends: Array<Promise<void>> = [];
    const sups = dirs.map(({ name, path }) => {
      let onExit!: () => void;
      ends.push(new Promise<void>((resolve) => (onExit = resolve)));
      return supervise(path, name, { onExit });
    });
    await until('all started', () => dirs.every(({ path }, i) => pids(path).length === 1 && sups[i]!.pid === pids(path)[0]));
    expect(dirs.map(({ path }) => status(path)?.pid)).toEqual(sups.map((s) => s.pid));

    // One told to go down goes down; the rest stay up.
    const [first, ...rest] = dirs;
    sendCommands(join(first!.path, 'supervise/control'), 'd');
    await until('first down', () => status(first!.path)?.pid === 0);
    expect(rest.every(({ path }) => (status(path)?.pid ?? 0) !== 0)).toBe(true);

    // svc -dx everywhere: every supervisor reports its end once the service is down.
    for (const { path } of dirs) sendCommands(join(path, 'supervise/control'), 'dx');
    await Promise.all(ends);
    expect(sups.every((s) => !s.active && s.pid === 0)).toBe(true);
    expect(dirs.every(({ path }) => status(path)?.pid === 0 && status(path)?.want === 'down')).toBe(true);
    expect(watchedCount()).toBe(0);
  });

  test('a second Supervisor on a directory fails on the lock; the first keeps it', async () => {
    const { name, path } = serviceDir();
    supervise(path, name);
    const second = new Supervisor(name, { path, env: ENV, plan: PLAN });
    expect(() => second.start()).toThrow(SuperviseStartError);
    try {
      second.start();
    } catch (err) {
      expect(err).toMatchObject({ step: 'lock', cause: { code: expect.stringMatching(/^(EAGAIN|EWOULDBLOCK)$/) } });
    }
    await until('started', () => pids(path).length === 1);
  });

  test('a missing directory is a chdir failure', () => {
    const s = new Supervisor('nowhere', { path: join(root, 'nowhere'), env: ENV, plan: PLAN });
    expect(() => s.start()).toThrow(expect.objectContaining({ step: 'chdir', cause: expect.objectContaining({ code: 'ENOENT' }) }));
  });

  test("./run's stdout goes to the pipe given (svscan's log pipe)", async () => {
    const { name, path } = serviceDir('#!/bin/sh\necho "hello from $0"\nexec sleep 1000\n');
    const [readEnd, writeEnd] = native().pipe();
    try {
      supervise(path, name, { stdout: writeEnd });
      const buf = Buffer.alloc(64);
      let text = '';
      await until('output', () => {
        try {
          native().fcntl(readEnd, native().constants.F_SETFL, native().constants.O_NONBLOCK);
          const n = readSync(readEnd, buf, 0, buf.length, null);
          text += buf.toString('latin1', 0, n);
        } catch {
          // EAGAIN
        }
        return text.includes('\n');
      });
      expect(text).toBe('hello from ./run\n');
    } finally {
      closeSync(readEnd);
      closeSync(writeEnd);
    }
  });

  test("exec failures are reported, with the errno, and retried", async () => {
    const { name, path } = serviceDir();
    chmodSync(join(path, 'run'), 0o644);
    const problems: Problem[] = [];
    supervise(path, name, { onProblem: (p) => problems.push(p) });
    await until('two attempts', () => problems.length >= 2);
    expect(problems[0]).toMatchObject({ kind: 'exec', error: { code: 'EACCES' } });
  });

  test("Node's own children are not reaped by the supervisors' reaper", async () => {
    const { name, path } = serviceDir('#!/bin/sh\nexit 3\n'); // exits at once, again and again
    supervise(path, name);
    const exits = await Promise.all(
      Array.from({ length: 5 }, () => new Promise<number | null>((resolve) => spawn('sh', ['-c', 'sleep 0.3; exit 7']).on('exit', resolve))),
    );
    expect(exits).toEqual([7, 7, 7, 7, 7]);
  });
});
