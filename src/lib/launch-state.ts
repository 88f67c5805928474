// What a C program would have started with, for the stream filters (tai64n, tai64nlocal,
// readproctitle): Node ignores SIGPIPE and opens /dev/null on closed stdio descriptors, the C tools
// die of SIGPIPE and fail with EBADF. Read from the launcher's record; without one, assume defaults.
import { constants } from 'node:os';
import { parseCaptured, takeRecord, type CapturedState } from './exec/captured.js';

let state: CapturedState | null | undefined;

function captured(): CapturedState | null {
  if (state === undefined) state = parseCaptured(takeRecord(), 0n);
  return state;
}

/** Whether `fd` was open when the launcher started (true when there is no record). */
export function wasOpen(fd: number): boolean {
  const s = captured();
  return s === null || s.fds.some((f) => f.fd === fd);
}

/** Puts SIGPIPE back to the default action unless the program was started with it ignored. */
export function restoreSigpipe(): void {
  const sigpipe = constants.signals.SIGPIPE;
  if (captured()?.ignored.includes(sigpipe)) return;
  // libuv resets a signal to SIG_DFL when its last listener goes.
  const nothing = (): void => {};
  process.on('SIGPIPE', nothing);
  process.removeListener('SIGPIPE', nothing);
}
