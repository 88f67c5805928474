// svok: exits 0 when a supervise is running in the directory, 100 when not.
import { EXIT_OK, EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { probeOk } from '../lib/svdir.js';
import { fatalBytes, writeErr } from './io.js';
import { rawArgv } from './raw-argv.js';
import { chdirTo } from './sv-dir.js';

const PROG = 'svok';
/** svok's "no supervise here" shares 100 with usage errors. */
const EXIT_NOT_RUNNING = EXIT_USAGE;

export function main(argv: readonly string[]): number {
  if (argv[1] === undefined) {
    writeErr('svok: usage: svok dir\n');
    return EXIT_USAGE;
  }
  // The name as its bytes, as C's svok takes it.
  const dir = rawArgv(argv)[1]!;
  try {
    chdirTo(dir);
  } catch (err) {
    fatalBytes(PROG, `unable to chdir to ${dir}: `, err);
    return EXIT_TEMPORARY;
  }
  try {
    // supervise holds supervise/ok open for reading; without a reader the open fails with ENXIO.
    probeOk('.');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENXIO') return EXIT_NOT_RUNNING;
    fatalBytes(PROG, `unable to open ${dir}/supervise/ok: `, err);
    return EXIT_TEMPORARY;
  }
  return EXIT_OK;
}
