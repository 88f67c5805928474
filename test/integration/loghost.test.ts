// The logger stub and its host: bin/multilog started by us connects to our socket; its input,
// signals and exit go through the host, while the process (pid, stdin, cwd, identity) stays its own.
import { closeSync, mkdtempSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { native } from '../../src/native/index.js';
import { startLogHost, type HostedLogger, type LoggerProcess } from '../../src/lib/loghost/server.js';
import { ours } from '../helpers/paths.js';

const n = native();
const dir = mkdtempSync(join(tmpdir(), 'dt-loghost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function waitFor<T>(get: () => T | undefined, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      const v = get();
      if (v !== undefined) resolve(v);
      else if (Date.now() - start > ms) reject(new Error('timed out'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

async function reap(pid: number): Promise<{ code: number | null; signal: number | null }> {
  return waitFor(() => n.waitpid(pid, n.constants.WNOHANG) ?? undefined);
}

test.skipIf(process.platform !== 'linux')('a hosted multilog: input, ALRM, CONT, TERM and exit code pass through the host', async () => {
  const events: string[] = [];
  let proc: LoggerProcess | undefined;
  const server = startLogHost(n, (p) => {
    proc = p;
    const watch = n.watchReadable(p.stdin, () => {
      const buf = Buffer.alloc(100);
      const got = readSync(p.stdin, buf);
      if (got > 0) events.push(`input:${buf.subarray(0, got).toString()}`);
    });
    const logger: HostedLogger = {
      alarm: () => events.push('alarm'),
      terminate: () => {
        events.push('term');
        watch.close();
        p.exit(7);
      },
      continued: () => events.push('continued'),
      abort: () => events.push('abort'),
    };
    return logger;
  })!;
  await new Promise((r) => server.once('listening', r));
  const [r, w] = n.pipe();
  const { pid } = n.spawn(ours('multilog'), ['multilog', 't', './main'], [], {
    ignore: [],
    mask: [],
    rlimits: [],
    fds: [['dup2', r, 0]],
    cwd: dir,
  });
  n.close(r);
  await waitFor(() => proc);
  expect(proc!.identity).toMatchObject({ pid, cwd: dir, argv: ['multilog', 't', './main'], groups: n.getgroups() });
  writeSync(w, 'one line\n');
  await waitFor(() => (events.includes('input:one line\n') ? true : undefined));
  process.kill(pid, 'SIGALRM');
  await waitFor(() => (events.includes('alarm') ? true : undefined));
  // A stop cannot be told; the continue after it is.
  process.kill(pid, 'SIGSTOP');
  process.kill(pid, 'SIGCONT');
  await waitFor(() => (events.includes('continued') ? true : undefined));
  process.kill(pid, 'SIGTERM');
  expect(await reap(pid)).toMatchObject({ code: 7, signal: null });
  expect(events).toEqual(['input:one line\n', 'alarm', 'continued', 'term']);
  closeSync(w);
  server.close();
});

test.skipIf(process.platform !== 'linux')('a killed stub aborts its hosted engine', async () => {
  const events: string[] = [];
  const server = startLogHost(n, (p) => ({
    alarm: () => {},
    terminate: () => p.exit(0),
    continued: () => {},
    abort: () => events.push('abort'),
  }))!;
  await new Promise((r) => server.once('listening', r));
  const [r, w] = n.pipe();
  const { pid } = n.spawn(ours('multilog'), ['multilog', './main'], [], { ignore: [], mask: [], rlimits: [], fds: [['dup2', r, 0]], cwd: dir });
  n.close(r);
  await new Promise((res) => setTimeout(res, 300));
  process.kill(pid, 'SIGKILL');
  expect(await reap(pid)).toMatchObject({ signal: 9 });
  await waitFor(() => (events.includes('abort') ? true : undefined));
  closeSync(w);
  server.close();
});
