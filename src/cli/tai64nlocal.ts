// tai64nlocal: turns the TAI64N label at the start of each line into local time (tai64nlocal.c).
// Arguments are ignored; read or write errors exit 111. Where C's localtime() call fails, the C
// program crashes on a null pointer: we write what it had flushed and die of SIGSEGV too.
import { EXIT_OK, EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { restoreSigpipe, wasOpen } from '../lib/launch-state.js';
import { readSome, writeAll } from '../lib/stream-io.js';
import { LocalStamper } from '../lib/tai64n-local.js';
import { LocalTime, zoneFromEnvironment } from '../lib/tz/localtime.js';

const CHUNK = 1 << 20;

export function main(_argv: readonly string[]): number {
  restoreSigpipe();
  if (!wasOpen(0)) return EXIT_TEMPORARY;
  const stdoutOpen = wasOpen(1);
  const stamper = new LocalStamper(
    new LocalTime(zoneFromEnvironment()),
    (buffer, length) => {
      if (!stdoutOpen) throw new Error('stdout closed');
      writeAll(1, buffer, 0, length);
    },
    CHUNK,
  );
  const input = Buffer.allocUnsafe(CHUNK);
  try {
    for (;;) {
      const n = readSome(0, input);
      if (n === 0) return EXIT_OK;
      stamper.push(input, n);
      if (stamper.crashed) break;
    }
  } catch {
    return EXIT_TEMPORARY;
  }
  process.kill(process.pid, 'SIGSEGV');
  return EXIT_TEMPORARY;
}
