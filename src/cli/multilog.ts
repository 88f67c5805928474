// multilog: reads lines on stdin and runs the script its arguments make (multilog.c): stamps,
// pattern selection, stderr, status files and rotated log directories. SIGALRM rotates,
// SIGTERM finishes the line being read and exits; end of input exits 0.
import { EXIT_OK, EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { restoreSigpipe } from '../lib/launch-state.js';
import { Multilog } from '../lib/multilog/engine.js';
import { MultilogFatal } from '../lib/multilog/errors.js';
import { pump } from '../lib/multilog/input.js';
import { systemIO } from '../lib/multilog/io.js';
import { parseScript } from '../lib/multilog/script.js';
import { fatal, warn } from './io.js';

const PROG = 'multilog';

export async function main(argv: readonly string[]): Promise<number> {
  restoreSigpipe();
  process.umask(0o022);
  const script = parseScript(argv.slice(1));

  let engine: Multilog | null = null;
  let terminated = false;
  let alarmed = false;
  const onTerm = (): void => {
    if (engine) engine.terminate();
    else terminated = true;
  };
  const onAlarm = (): void => {
    if (engine) void engine.rotate();
    else alarmed = true;
  };
  // Left in place to the end: C keeps both caught until it exits.
  process.on('SIGTERM', onTerm);
  process.on('SIGALRM', onAlarm);
  const messages = {
    warn: (parts: string, err?: unknown) => warn(PROG, parts, err),
    fatal: (parts: string, err?: unknown) => fatal(PROG, parts, err),
  };
  try {
    engine = await Multilog.open(script, systemIO(messages));
  } catch (err) {
    if (!(err instanceof MultilogFatal)) throw err;
    fatal(PROG, err.parts, err.cause);
    return EXIT_TEMPORARY;
  }
  // Taken while C has them blocked: they count after the first read.
  if (alarmed) void engine.rotate();
  if (terminated) engine.terminate();
  await pump(0, engine);
  return EXIT_OK;
}
