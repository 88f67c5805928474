// multilog: reads lines on stdin and runs the script its arguments make (multilog.c): stamps,
// pattern selection, stderr, status files and rotated log directories. SIGALRM rotates,
// SIGTERM finishes the line being read and exits; end of input exits 0.
import { FIELD, FLAG_SET, recordField, takeRecord } from '../lib/exec/captured.js';
import { EXIT_OK, EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { restoreSigpipe } from '../lib/launch-state.js';
import { Multilog } from '../lib/multilog/engine.js';
import { MultilogFatal } from '../lib/multilog/errors.js';
import { pump } from '../lib/multilog/input.js';
import { systemIO } from '../lib/multilog/io.js';
import { parseScript } from '../lib/multilog/script.js';
import { catchSignals, deliverSignals } from '../lib/multilog/signals.js';
import { native } from '../native/index.js';
import { linuxBranches } from '../native/platform.js';
import { rawArgv } from './raw-argv.js';
import { fatal, warn } from './io.js';

const PROG = 'multilog';

export async function main(argv: readonly string[]): Promise<number> {
  // Usually done already by the dispatcher, before anything else loaded.
  catchSignals();
  restoreSigpipe();
  process.umask(0o022);
  const scriptBytes = rawArgv(argv).slice(1); // patterns and processors are bytes, as C reads them
  const script = parseScript(scriptBytes);

  const messages = {
    warn: (parts: string, err?: unknown) => warn(PROG, parts, err),
    fatal: (parts: string, err?: unknown) => fatal(PROG, parts, err),
  };
  let engine: Multilog;
  try {
    engine = await Multilog.open(script, systemIO(messages), { resume: lostHost() });
  } catch (err) {
    if (!(err instanceof MultilogFatal)) throw err;
    fatal(PROG, err.parts, err.cause);
    return EXIT_TEMPORARY;
  }
  const running = engine;
  // A stub whose host died runs as this process until a new svscan asks it back.
  if (lostHost()) {
    const { runHostless } = require('../lib/loghost/hostless.js') as typeof import('../lib/loghost/hostless.js');
    await runHostless(native(), running, { record: takeRecord(), script: scriptBytes, warn: (parts, err) => warn(PROG, parts, err) });
    return EXIT_OK;
  }
  // Those caught until now came while C has them blocked: the engine counts them after the first read.
  deliverSignals({ term: () => running.terminate(), alarm: () => void running.rotate() });
  await pump(0, engine);
  return EXIT_OK;
}

/** Our launcher marks a logger stub that lost its host (" s=1" in its record). Linux only. */
function lostHost(): boolean {
  return linuxBranches() && recordField(takeRecord(), FIELD.hostless) === FLAG_SET;
}
