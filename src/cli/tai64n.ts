// tai64n: puts a TAI64N stamp and a space in front of every line of its input (tai64n.c).
// Arguments are ignored. Everything read is stamped and written before the next read, as C
// flushes before each read; any read or write error exits 111 at once.
import { EXIT_OK, EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { restoreSigpipe, wasOpen } from '../lib/launch-state.js';
import { readSome, writeAll } from '../lib/stream-io.js';
import { LineStamper } from '../lib/tai64n-stamper.js';
import { WallClock } from '../lib/tai64n.js';

const INPUT_SIZE = 1 << 20;
const OUTPUT_SIZE = (3 << 20) >> 1;

export function main(_argv: readonly string[]): number {
  restoreSigpipe();
  // Started with stdin or stdout closed: C's read or first write fails with EBADF.
  if (!wasOpen(0)) return EXIT_TEMPORARY;
  const stdoutOpen = wasOpen(1);
  const clock = new WallClock();
  const stamper = new LineStamper(
    clock,
    (buffer, offset, length) => {
      if (!stdoutOpen) throw new Error('stdout closed');
      writeAll(1, buffer, offset, length);
    },
    INPUT_SIZE,
    OUTPUT_SIZE,
  );
  try {
    for (;;) {
      const n = readSome(0, stamper.buffer, stamper.inputOffset, stamper.inputSize);
      if (n === 0) return EXIT_OK;
      clock.check();
      stamper.stampInput(n);
    }
  } catch {
    return EXIT_TEMPORARY;
  }
}
