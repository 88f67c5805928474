// A logger whose host died (native/stub.c marks its record " s=1"): it runs as an ordinary
// multilog on its own stdin, settled first by the dead host's ledger (settle-input.ts) and taking
// in first the line head the host held, until an svscan that
// adopted it asks it back (rehost.ts); then it ends as at SIGTERM (the line in hand finished,
// `current` complete) and execs the launcher, to become a stub of that host with the same pid.
import type { NativeBinding } from '../../native/binding.js';
import type { Multilog } from '../multilog/engine.js';
import { pump } from '../multilog/input.js';
import { deliverSignals } from '../multilog/signals.js';
import { awaitHost, handOver, holdSignals, settleOwnInput } from './rehost.js';

export interface HostlessOptions {
  /** The launcher's record (takeRecord's). */
  readonly record: string | undefined;
  /** multilog's arguments, byte strings: the script the stub is started with again. */
  readonly script: readonly string[];
  /** Says a failed hand-over, as multilog warns. */
  warn(parts: string, err?: unknown): void;
}

/** Runs `engine` on stdin until its end, a SIGTERM, or a hand-over; resolves when the process is to exit 0. */
export async function runHostless(n: NativeBinding, engine: Multilog, options: HostlessOptions): Promise<void> {
  let signalled = false;
  // Those caught until now came while C has them blocked: the engine counts them after the first read.
  deliverSignals({
    term: () => {
      signalled = true;
      engine.terminate();
    },
    alarm: () => void engine.rotate(),
  });
  // Our input settled by the dead host's ledger; what it had read of a line and not written comes first.
  const held = settleOwnInput(n, options.record);
  if (held.length) await engine.push(held);
  let host = 0;
  const waiting = awaitHost(n, (pid) => {
    host = pid;
    engine.terminate();
  });
  await pump(0, engine);
  waiting?.close();
  if (host === 0 || signalled) return;
  // From here on the signals are for the stub we become: held, so none is lost on the way.
  let alarmed = false;
  deliverSignals({ term: () => void (signalled = true), alarm: () => void (alarmed = true) });
  await holdSignals(n);
  if (signalled) return;
  if (alarmed) process.kill(process.pid, 'SIGALRM'); // held now: the new host rotates
  try {
    handOver(n, host, options.script);
  } catch (err) {
    // Still this process, its directories closed as at a clean exit: its supervisor starts the next.
    options.warn('unable to hand over to svscan: ', err);
  }
}
