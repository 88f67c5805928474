// Signal names as s6 reads them in down-signal (skalibs' sig0_scan): a name in any case, with or
// without SIG, or a number; resolved against this system's own table.
import { constants } from 'node:os';

const BY_NAME = constants.signals as Readonly<Record<string, number>>;

/** The canonical name ('SIGHUP') of a signal number, or null when this system has none. */
export function signalName(n: number): NodeJS.Signals | null {
  for (const [name, value] of Object.entries(BY_NAME)) if (value === n) return name as NodeJS.Signals;
  return null;
}

/** `HUP`, `sighup`, `SIGHUP` or `1` → 'SIGHUP'; null when it names no signal here (0 is none). */
export function parseSignal(text: string): NodeJS.Signals | null {
  if (/^[0-9]+$/.test(text)) return text.length > 3 ? null : signalName(Number(text));
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(BY_NAME, name) ? (name as NodeJS.Signals) : null;
}
