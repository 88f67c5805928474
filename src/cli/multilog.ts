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
  let signalled = false;
  // Those caught until now came while C has them blocked: the engine counts them after the first read.
  deliverSignals({
    term: () => {
      signalled = true;
      running.terminate();
    },
    alarm: () => void running.rotate(),
  });
  // A stub whose host died runs as this process until a new svscan asks it back (rehost.ts): then
  // it ends as at SIGTERM (the line in hand finished, `current` complete) and becomes a stub again.
  const rehost = lostHost() ? (require('../lib/loghost/rehost.js') as typeof import('../lib/loghost/rehost.js')) : null;
  // Our input settled by the dead host's ledger; what it had read of a line and not written comes first.
  const held = rehost?.settleOwnInput(native(), takeRecord());
  if (held?.length) await engine.push(held);
  let host = 0;
  const waiting = rehost?.awaitHost(native(), (pid) => {
    host = pid;
    running.terminate();
  });
  await pump(0, engine);
  waiting?.close();
  if (rehost && host !== 0 && !signalled) {
    // From here on the signals are for the stub we become: held, so none is lost on the way.
    let alarmed = false;
    deliverSignals({ term: () => void (signalled = true), alarm: () => void (alarmed = true) });
    await rehost.holdSignals(native());
    if (signalled) return EXIT_OK;
    if (alarmed) process.kill(process.pid, 'SIGALRM'); // held now: the new host rotates
    try {
      rehost.handOver(native(), host, scriptBytes);
    } catch (err) {
      // Still this process, its directories closed as at a clean exit: its supervisor starts the next.
      warn(PROG, 'unable to hand over to svscan: ', err);
    }
  }
  return EXIT_OK;
}

/** Our launcher marks a logger stub that lost its host (" s=1" in its record). Linux only. */
function lostHost(): boolean {
  return linuxBranches() && recordField(takeRecord(), FIELD.hostless) === FLAG_SET;
}
