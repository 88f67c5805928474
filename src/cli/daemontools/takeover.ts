// `daemontools takeover`: for services whose C supervise has been stopped while their processes
// run on, records each running process in supervise/owner (src/lib/supervise/takeover.ts), and
// says what it did in a line per service.
import { isSupervised } from '../../api/control.js';
import { isFailure, takeOver as recordRunning, type TakeoverResult } from '../../lib/supervise/takeover.js';

export { isFailure, type TakeoverResult };

/** Prepares one service directory (lib/supervise/takeover.ts); nothing is written when `dryRun`. */
export const takeOver = (dir: string, dryRun: boolean): TakeoverResult => recordRunning(dir, dryRun, isSupervised);

export function describeTakeover(name: string, r: TakeoverResult): string {
  switch (r.kind) {
    case 'recorded':
      return `${name}: pid ${r.pid} recorded; our svscan will adopt it`;
    case 'would-record':
      return `${name}: would record pid ${r.pid}`;
    case 'recorded-already':
      return `${name}: pid ${r.pid} already recorded`;
    case 'down':
      return `${name}: down, nothing to take over`;
    case 'gone':
      return `${name}: pid ${r.pid} has exited; the service starts afresh`;
    case 'no-status':
      return `${name}: no readable supervise/status; the service starts afresh`;
    case 'supervised':
      return `${name}: a supervise still runs here: stop it first (see docs/replacing-c-daemontools.md)`;
    case 'failed':
      return `${name}: unable to write supervise/owner`;
  }
}
