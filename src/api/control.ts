// Driving supervise by name, as svc and svok do: command letters written to supervise/control in
// one write, and a supervise's presence told by whether anyone holds supervise/ok open to read.
import { statSync } from 'node:fs';
import { Command } from '../lib/control.js';
import { probeOk, writeControl } from '../lib/svdir.js';
import { DaemontoolsError, errnoCode, systemError } from './errors.js';

/** The commands supervise understands, by the names svc's options stand for. */
export const SERVICE_COMMANDS = {
  /** svc -u: start the service, and restart it whenever it stops. */
  up: Command.up,
  /** svc -d: stop the service (TERM then CONT) and keep it down. */
  down: Command.down,
  /** svc -o: start the service if down, but do not restart it when it stops. */
  once: Command.once,
  /** svc -p: send STOP. */
  pause: Command.pause,
  /** svc -c: send CONT. */
  cont: Command.cont,
  /** svc -h: send HUP. */
  hup: Command.hangup,
  /** svc -a: send ALRM. */
  alarm: Command.alarm,
  /** svc -i: send INT. */
  interrupt: Command.interrupt,
  /** svc -t: send TERM (supervise restarts the service if it is wanted up). */
  term: Command.term,
  /** svc -k: send KILL. */
  kill: Command.kill,
  /** svc -x: supervise exits once the service is down. */
  exit: Command.exit,
} as const;

export type ServiceCommand = keyof typeof SERVICE_COMMANDS;

/** Whether `name` is one of {@link SERVICE_COMMANDS}' names (for checking user input). */
export function isServiceCommand(name: string): name is ServiceCommand {
  return Object.prototype.hasOwnProperty.call(SERVICE_COMMANDS, name);
}

/** The letters for `commands`, each once, in the order first given (as svc keeps them). */
export function commandLetters(commands: readonly string[]): string {
  let letters = '';
  for (const name of commands) {
    if (!isServiceCommand(name)) throw new DaemontoolsError('ERR_INVALID_ARG', undefined, `unknown command: ${String(name)}`);
    const letter = SERVICE_COMMANDS[name];
    if (!letters.includes(letter)) letters += letter;
  }
  return letters;
}

/** A missing directory is a system error; a directory whose supervise is absent is "not supervised". */
function notSupervisedOr(dir: string, what: string, err: unknown): DaemontoolsError {
  const code = errnoCode(err);
  if (code === 'ENOENT') {
    try {
      statSync(dir);
    } catch (dirErr) {
      return systemError(dir, `${dir}: unable to open the service directory`, dirErr);
    }
  }
  if (code === 'ENOENT' || code === 'ENXIO') {
    return new DaemontoolsError('ERR_NOT_SUPERVISED', dir, `${dir}: supervise not running`, { cause: err });
  }
  return systemError(dir, `${dir}: ${what}`, err);
}

/**
 * Sends supervise in `dir` the given commands, in one write, in the order given (repeats dropped).
 * The write does not wait for supervise to act: use {@link waitFor} for that.
 * @example sendCommand('/service/web', 'up', 'term') // what `daemontools restart` sends
 * @throws {@link DaemontoolsError} `ERR_NOT_SUPERVISED`, `ERR_INVALID_ARG`, or `ERR_SYSTEM`.
 */
export function sendCommand(dir: string, ...commands: ServiceCommand[]): void {
  if (typeof dir !== 'string' || dir === '') throw new DaemontoolsError('ERR_INVALID_ARG', undefined, 'a service directory is a non-empty string');
  const letters = commandLetters(commands);
  if (letters === '') return;
  try {
    writeControl(dir, letters);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).syscall === 'write') throw systemError(dir, `${dir}: unable to write commands`, err);
    throw notSupervisedOr(dir, 'unable to open supervise/control', err);
  }
}

/**
 * Whether a supervise process runs in `dir` (svok's question).
 * @throws {@link DaemontoolsError} `ERR_SYSTEM` when the directory cannot be examined.
 */
export function isSupervised(dir: string): boolean {
  try {
    probeOk(dir);
    return true;
  } catch (err) {
    const e = notSupervisedOr(dir, 'unable to open supervise/ok', err);
    if (e.code === 'ERR_NOT_SUPERVISED') return false;
    throw e;
  }
}
