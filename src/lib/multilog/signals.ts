// A standalone multilog's SIGTERM and SIGALRM, caught from its first line of JavaScript on: C
// multilog catches both before it reads anything, and Node leaves them at their default action
// (death) until someone listens. Signals caught before the engine exists wait here for it.

/** Where the signals go once the engine is there. */
export interface SignalTarget {
  /** SIGTERM: finish the line being read, then exit. */
  term(): void;
  /** SIGALRM: rotate. */
  alarm(): void;
}

let target: SignalTarget | null = null;
let caught = false;
let pendingTerm = false;
let pendingAlarm = false;

/** Catches both signals now; they stay caught until the process ends, as in C. */
export function catchSignals(): void {
  if (caught) return;
  caught = true;
  process.on('SIGTERM', () => {
    if (target) target.term();
    else pendingTerm = true;
  });
  process.on('SIGALRM', () => {
    if (target) target.alarm();
    else pendingAlarm = true;
  });
  // The launcher held both blocked through Node's start-up (native/sigshim.c): let them in now.
  const { FIELD, FLAG_SET, recordField, takeRecord } = require('../exec/captured.js') as typeof import('../exec/captured.js');
  if (recordField(takeRecord(), FIELD.signalsHeld) === FLAG_SET) {
    try {
      (require('../../native/index.js') as typeof import('../../native/index.js')).native().releaseSignals();
    } catch {
      // no addon: the shim's hold ends with nobody to end it, as it would without the shim
    }
  }
}

/** From now on the signals go to `to`; any caught before are handed on at once (SIGALRM first). */
export function deliverSignals(to: SignalTarget): void {
  catchSignals();
  target = to;
  if (pendingAlarm) {
    pendingAlarm = false;
    to.alarm();
  }
  if (pendingTerm) {
    pendingTerm = false;
    to.term();
  }
}
