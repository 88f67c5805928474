// A MultilogIO for unit tests: real files, a clock that ticks 1 µs per reading, pauses that
// return at once (counted), messages collected as "parts<code>", and hooks to make calls fail.
import { fsyncSync, writeSync } from 'node:fs';
import type { MultilogIO } from '../../../../src/lib/multilog/io.js';
import type { ProcessorOutcome } from '../../../../src/lib/multilog/processor.js';
import { nodeStarter, runProcessor } from '../../../../src/lib/multilog/processor.js';

export const START_MICROS = 1_700_000_000_000_000;

export interface FakeIO extends MultilogIO {
  readonly messages: string[];
  readonly errOutput: Buffer[];
  pauses: number;
  micros: number;
  /** Return a number (bytes written) or throw to fake a write; undefined: really write. */
  onWrite?: (fd: number, length: number) => number | undefined;
  onFsync?: (fd: number) => void;
  onLock?: (fd: number) => void;
  processor?: (command: string) => ProcessorOutcome;
}

function describeErr(err: unknown): string {
  if (err === undefined) return '';
  const e = err as { code?: string; errno?: number };
  return e.code ?? `errno ${e.errno}`;
}

export function fakeIO(): FakeIO {
  const io: FakeIO = {
    messages: [],
    errOutput: [],
    pauses: 0,
    micros: START_MICROS,
    warn(parts, err) {
      io.messages.push(`warning: ${parts}${describeErr(err)}`);
    },
    fatal(parts, err) {
      io.messages.push(`fatal: ${parts}${describeErr(err)}`);
    },
    stderr(data) {
      io.errOutput.push(Buffer.from(data));
    },
    async sleep() {
      io.pauses++;
    },
    clock: { nowMicros: () => io.micros++ },
    write(fd, buf, offset, length, position) {
      const faked = io.onWrite?.(fd, length);
      if (faked !== undefined) return faked;
      return writeSync(fd, buf, offset, length, position);
    },
    fsync(fd) {
      io.onFsync?.(fd);
      fsyncSync(fd);
    },
    lock(fd) {
      io.onLock?.(fd);
    },
    async runProcessor(job) {
      if (io.processor) return io.processor(job.command);
      return runProcessor(job, io, 2, nodeStarter);
    },
  };
  return io;
}

export function errno(code: string): Error {
  return Object.assign(new Error(code), { code });
}
