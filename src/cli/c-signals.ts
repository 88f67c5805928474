// A long-lived program's signal dispositions as its C original has them, in a Node process:
// Node starts its inspector on SIGUSR1 and ignores SIGPIPE and SIGXFSZ, where supervise and
// svscan die of all three; a signal ignored when we were started stays ignored, as across exec.
import { constants } from 'node:os';

/** Signals we cannot or must not catch, ours (SIGCHLD), and those Node ignores already. */
const NEVER_LISTEN = new Set(['SIGCHLD', 'SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGPIPE', 'SIGXFSZ']);

/** `handled`: signals the program listens to itself (svscan's stop-on-term mode). */
export function actLikeC(ignoredAtStart: readonly number[], handled: ReadonlySet<string> = new Set()): void {
  const ignored = new Set(ignoredAtStart);
  for (const name of ['SIGUSR1', 'SIGPIPE', 'SIGXFSZ'] as const) {
    if (ignored.has(constants.signals[name])) continue;
    const die = (): void => {
      // Without a listener the disposition is back to default, and the signal takes us down.
      process.removeListener(name, die);
      process.kill(process.pid, name);
    };
    process.on(name, die);
  }
  for (const [name, number] of Object.entries(constants.signals)) {
    if (!ignored.has(number) || NEVER_LISTEN.has(name) || handled.has(name)) continue;
    try {
      process.on(name as NodeJS.Signals, () => {});
    } catch {
      // Not a signal Node lets us listen to.
    }
  }
}
