// The peeking reader while the process it reads for is stopped: nothing is taken in, a copy made
// when it is found stopped is dropped (the bytes are still in the pipe), end of input waits too;
// once continued, every byte is logged exactly once.
import { closeSync, mkdtempSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { native } from '../../../../src/native/index.js';
import { Multilog } from '../../../../src/lib/multilog/engine.js';
import { CHUNK, pump, type Stoppable } from '../../../../src/lib/multilog/input.js';
import { peekingReader } from '../../../../src/lib/multilog/peek.js';
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
