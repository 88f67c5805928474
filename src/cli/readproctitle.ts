// readproctitle: keeps the last bytes of its input visible in its own command line, for ps
// (readproctitle.c). Usage errors exit 100 without a word; a read error exits 111.
import { basename } from 'node:path';
import { EXIT_OK, EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { wasOpen } from '../lib/launch-state.js';
import { rawArguments, setCommandName, showCommandLine } from '../lib/proctitle.js';
import { argumentLayout, MIN_TITLE_LENGTH, TitleWindow } from '../lib/readproctitle.js';
import { readSome } from '../lib/stream-io.js';
import { loadNative } from './identity.js';

export function main(argv: readonly string[]): number {
  if (argv.length < 2) return EXIT_USAGE;
  // The arguments as the kernel holds them (argv[0] as the launcher gave it), else re-encoded.
  const raw = rawArguments(argv.length - 1) ?? argv.slice(1).map((a) => Buffer.from(a));
  const args = [Buffer.from(argv[0]!), ...raw];
  const length = args[args.length - 1]!.length;
  if (length < MIN_TITLE_LENGTH) return EXIT_USAGE;

  const { bytes, windowAt } = argumentLayout(args);
  const n = loadNative();
  const area = showCommandLine(n, bytes);
  setCommandName(n, basename(argv[0]!));

  if (!wasOpen(0)) return EXIT_TEMPORARY;
  const window = new TitleWindow(length);
  const input = Buffer.allocUnsafe(4096);
  for (;;) {
    let n: number;
    try {
      n = readSome(0, input);
    } catch {
      return EXIT_TEMPORARY;
    }
    if (n === 0) return EXIT_OK;
    window.feed(input.subarray(0, n));
    area.write(windowAt, window.bytes);
  }
}
