// svc's command letters: parsed with djb's sgetopt over "udopchaitkx", each letter kept once in
// the order first given, and the whole batch written to supervise/control in one write, as svc does.
import { Getopt, type GetoptProblem } from './sgetopt.js';

/** The command letters supervise reads from its control FIFO, by name. */
export const Command = {
  up: 'u',
  down: 'd',
  once: 'o',
  pause: 'p',
  cont: 'c',
  hangup: 'h',
  alarm: 'a',
  interrupt: 'i',
  term: 't',
  kill: 'k',
  exit: 'x',
} as const;

export type CommandLetter = (typeof Command)[keyof typeof Command];

/** svc's option string, in djb's order. */
export const SVC_OPTIONS = 'udopchaitkx';

/** svc keeps at most this many letters (its data[20]); only 11 distinct ones exist. */
const MAX_COMMANDS = 20;

export function isCommandLetter(c: string): c is CommandLetter {
  return c.length === 1 && SVC_OPTIONS.includes(c);
}

export type SvcArgs =
  | { readonly ok: true; readonly commands: string; readonly dirs: readonly string[] }
  | { readonly ok: false; readonly problem: GetoptProblem };

/** Parses svc's argv (argv[0] is the program name) with djb's sgetopt. */
export function parseSvcArgs(argv: readonly string[]): SvcArgs {
  const getopt = new Getopt(argv, SVC_OPTIONS);
  let commands = '';
  for (let got = getopt.next(); got !== null; got = getopt.next()) {
    if (got.kind === 'problem') return { ok: false, problem: got };
    if (commands.length < MAX_COMMANDS && !commands.includes(got.opt)) commands += got.opt;
  }
  return { ok: true, commands, dirs: argv.slice(getopt.optind) };
}

/** The one write svc makes to a control FIFO (svdir.ts): `sendCommands(controlPath, commands)`. */
export { writeBatch as sendCommands } from './svdir.js';
