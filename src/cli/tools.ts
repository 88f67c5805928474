// The seventeen programs and how each is run: a chain link (runs in-process and hands on to the
// next program) or a main program. Modules load lazily so a hot path loads only what it needs.
import type { Link } from '../lib/exec/chain.js';

export type Main = (argv: readonly string[]) => number | Promise<number>;
export type Tool =
  | { readonly kind: 'link'; load(): Link }
  | { readonly kind: 'main'; load(): Main; readonly fuse?: false };

const link = (path: string): Tool => ({ kind: 'link', load: () => (require(path) as { link: Link }).link });
// Two literals, not a spread: spreading cost a start that makes the table ~0.2 M instructions.
const main = (path: string, fuse?: false): Tool => {
  const load = (): Main => (require(path) as { main: Main }).main;
  return fuse === false ? { kind: 'main', load, fuse } : { kind: 'main', load };
};

let table: Readonly<Record<string, Tool>> | undefined;

/**
 * The programs, each with how it is run: made on first use, since a chain that hands on to no
 * program of ours never asks, and making it costs a start ~0.25 M instructions.
 */
export function tools(): Readonly<Record<string, Tool>> {
  table ??= {
    envdir: link('./envdir.js'),
    envuidgid: link('./envuidgid.js'),
    setuidgid: link('./setuidgid.js'),
    softlimit: link('./softlimit.js'),
    setlock: link('./setlock.js'),
    pgrphack: link('./pgrphack.js'),
    fghack: main('./fghack.js'),
    tai64n: main('./tai64n.js'),
    tai64nlocal: main('./tai64nlocal.js'),
    // Never run in-process at the end of a chain: exec'd for real, its launcher can become the
    // small stub whose log engine runs inside our svscan (docs/ARCHITECTURE.md, "Loggers").
    multilog: main('./multilog.js', false),
    supervise: main('./supervise.js'),
    svc: main('./svc.js'),
    svok: main('./svok.js'),
    svstat: main('./svstat.js'),
    svscan: main('./svscan.js'),
    svscanboot: main('./svscanboot.js'),
    readproctitle: main('./readproctitle.js'),
    /** The friendly umbrella command (not one of djb's). */
    daemontools: main('./daemontools.js'),
  };
  return table;
}

/** The programs that stay running, shown in ps as C's are (identity.ts); the others exit or exec
 * at once. readproctitle, whose command line is its output, shows its own. */
export const LONG_RUNNING: ReadonlySet<string> = new Set(['svscan', 'supervise', 'multilog', 'fghack', 'svscanboot']);

/**
 * The programs whose work is all done, their output written (synchronously, as C's), when their
 * main returns: they then end at once, as C's exit does, without Node's own ending (cli/main.ts).
 * Not a chain link: a chain may end in a program run in-process, long-running or not.
 */
export const ENDS_AT_RETURN: ReadonlySet<string> = new Set(['svc', 'svok', 'svstat', 'tai64n', 'tai64nlocal']);

/** djb's seventeen programs. */
export const PROGRAMS: readonly string[] = Object.keys(tools()).filter((name) => name !== 'daemontools');

/** May a chain run `name` in its own process instead of exec'ing it? */
export function fusable(name: string): boolean {
  const tool = tools()[name];
  return tool !== undefined && !(tool.kind === 'main' && tool.fuse === false);
}
