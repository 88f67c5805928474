// The peeking reader while the process it reads for is stopped: nothing is taken in, a copy made
// when it is found stopped is dropped (the bytes are still in the pipe), end of input waits too;
// once continued, every byte is logged exactly once.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { native } from '../../../../src/native/index.js';
import { Multilog } from '../../../../src/lib/multilog/engine.js';
import { CHUNK, pump, type Stoppable } from '../../../../src/lib/multilog/input.js';
import { BURST_ROOM, heldKeeping, peekingReader } from '../../../../src/lib/multilog/peek.js';
import { parseScript } from '../../../../src/lib/multilog/script.js';
import { fakeIO } from './fake-io.js';

const root = mkdtempSync(join(tmpdir(), 'dt-peek-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A process stopped or not at will; each stopped() question is announced to `asked`. */
function fakeProcess(): Stoppable & { stop: boolean; asked: () => Promise<void>; cont: () => void } {
  const wakes = new Set<() => void>();
  let ask: (() => void) | null = null;
  const p = {
    stop: false,
    stopped: () => {
      ask?.();
      return p.stop;
    },
    onContinue: (wake: () => void) => {
      wakes.add(wake);
      return () => void wakes.delete(wake);
    },
    asked: () => new Promise<void>((resolve) => (ask = resolve)),
    cont: () => {
      p.stop = false;
      for (const wake of [...wakes]) wake();
    },
  };
  return p;
}

test.skipIf(process.platform !== 'linux')('nothing is taken in while the process is stopped, end of input included; then every line once', async () => {
  const n = native();
  const current = join(root, 'd', 'current');
  const engine = await Multilog.open(parseScript(['./d']), fakeIO(), { cwd: root });
  const proc = fakeProcess();
  const [r, w] = n.pipe();
  let ended = false;
  let asked = proc.asked();
  const pumping = pump(r, engine, CHUNK, peekingReader(n, null, () => false, proc)).then(() => (ended = true));

  writeSync(w, 'one\n');
  await asked;
  await new Promise((resolve) => setImmediate(resolve));
  expect(readFileSync(current, 'latin1')).toBe('one\n');

  // Found stopped right after the copy: the copy is dropped, the line stays in the pipe.
  proc.stop = true;
  asked = proc.asked();
  writeSync(w, 'two\nthr');
  await asked;
  await new Promise((resolve) => setImmediate(resolve));
  expect(readFileSync(current, 'latin1')).toBe('one\n');

  // Continued: read again, from the pipe, once.
  asked = proc.asked();
  proc.cont();
  await asked;
  await new Promise((resolve) => setImmediate(resolve));
  expect(readFileSync(current, 'latin1')).toBe('one\ntwo\n');

  asked = proc.asked();
  writeSync(w, 'ee\n');
  await asked;
  await new Promise((resolve) => setImmediate(resolve));
  expect(readFileSync(current, 'latin1')).toBe('one\ntwo\nthree\n');

  // Stopped at the end of input: a stopped multilog does not see it yet.
  proc.stop = true;
  asked = proc.asked();
  closeSync(w);
  await asked;
  await new Promise((resolve) => setImmediate(resolve));
  expect(ended).toBe(false);

  proc.cont();
  await pumping;
  expect(readFileSync(current, 'latin1')).toBe('one\ntwo\nthree\n');
  engine.release();
  closeSync(r);
});

/** A process never stopped, asked after each copy: `seen` gets the pipe's and the bin's room then. */
function watchedProcess(n: ReturnType<typeof native>, pipe: number, bin: number): Stoppable & { seen: Array<[number, number]> } {
  const room = (fd: number): number => n.fcntl(fd, n.constants.F_GETPIPE_SZ!);
  const seen: Array<[number, number]> = [];
  return { seen, stopped: () => (seen.push([room(pipe), room(bin)]), false), onContinue: () => () => undefined };
}

test.skipIf(process.platform !== 'linux')('a burst grows the pipe and the bin past C\'s 64 KB while chunks fill them, and puts both back after; every line once', async () => {
  const n = native();
  const dir = join(root, 'burst');
  const input = join(root, 'burst-input');
  const lines = Array.from({ length: 60000 }, (_, i) => `${String(i).padStart(7, '0')} the quick brown fox jumps over the lazy dog\n`).join('');
  writeFileSync(input, lines);
  const engine = await Multilog.open(parseScript(['s16777215', dir]), fakeIO(), { cwd: root });
  const [r, w] = n.pipe();
  const bin = n.pipe();
  const ledgerFd = openSync(join(root, 'burst-ledger'), 'w+');
  const proc = watchedProcess(n, r, bin[1]);
  const writer = spawn('/bin/cat', [input], { stdio: ['ignore', w, 'inherit'] });
  const exited = new Promise((resolve) => writer.once('exit', resolve));
  closeSync(w);
  await pump(r, engine, BURST_ROOM, peekingReader(n, heldKeeping({ ledger: ledgerFd, bin }), () => false, proc));
  expect(await exited).toBe(0);
  expect(readFileSync(join(dir, 'current'), 'latin1')).toBe(lines);
  const rooms = proc.seen.map(([pipe]) => pipe);
  // Before the first full chunk, C's room; then a larger one, for pipe and bin alike.
  expect(rooms[0]).toBe(1 << 16);
  expect(Math.max(...rooms)).toBeGreaterThan(1 << 16);
  expect(proc.seen.every(([pipe, binRoom]) => binRoom >= pipe || pipe === 1 << 16)).toBe(true);
  // The input ended: both are back to C's room.
  expect([n.fcntl(r, n.constants.F_GETPIPE_SZ!), n.fcntl(bin[1], n.constants.F_GETPIPE_SZ!)]).toEqual([1 << 16, 1 << 16]);
  engine.release();
  for (const fd of [r, ...bin, ledgerFd]) closeSync(fd);
});
