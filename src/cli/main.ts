// Entry point behind every bin/ executable: the launcher runs `node dist/cli/launch.cjs ARGV0 args...`
// (which runs the start-up bundle scripts/bundle.cjs packs this module into), a Node shim calls start(name).
// Runs the program and exits with its code; a chain program may instead end in execve.
import { ENDS_AT_RETURN, LONG_RUNNING, tools, type Main } from './tools.js';
import type { Link } from '../lib/exec/chain.js';
import type { startChain } from './chain-host.js';
import { fatal } from './io.js';
import { EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { takeRecord } from '../lib/exec/captured.js';
import { branches } from '../native/platform.js';

export async function run(name: string, argv: readonly string[]): Promise<number> {
  const tool = tools()[name];
  if (!tool) {
    fatal(name, 'unknown program');
    return EXIT_TEMPORARY;
  }
  if (tool.kind === 'main') {
    if (LONG_RUNNING.has(name)) (require('./identity.js') as typeof import('./identity.js')).presentAs(name, argv);
    return (tool.load() as Main)(argv);
  }
  // Loaded only for a chain (a start of any other program never reads it).
  const { startChain } = require('./chain-host.js') as typeof import('./chain-host.js');
  return startChain(name, argv, run);
}

/**
 * Runs the program named on the command line (by the launcher: its argv[0] as given, the program
 * being its basename) or `name` (by a Node shim).
 */
export function start(name?: string): void {
  const { prog, argv } = invocation(name);
  finish(prog, run(prog, argv));
}

/**
 * Runs the link the launcher named as start() does, with the links it hands on to taken from
 * `links` instead of loaded through the tools table: the chain links' start-up bundle, made of
 * src/cli/lean/links.ts, calls it with chain-host's `chain`, which this module itself loads only
 * for a chain. A program of ours that the chain ends in and that is no link runs through run().
 */
export function startLinks(links: Readonly<Record<string, Link>>, chain: typeof startChain): void {
  const { prog, argv } = invocation(undefined);
  finish(prog, links[prog] ? chain(prog, argv, run, (name) => links[name]) : run(prog, argv));
}

/** What a start does with the program's outcome: its exit code, or its internal error. */
function finish(prog: string, outcome: Promise<number>): void {
  outcome.then(
    (code) => {
      if (ENDS_AT_RETURN.has(prog)) endNow(code);
      process.exitCode = code;
    },
    (err: unknown) => failed(prog, err),
  );
}

/**
 * Runs `main` as start() runs a program that ends at return (ENDS_AT_RETURN), for the program the
 * launcher named, without the tools table: the lean starts of svc, svok and svstat
 * (src/cli/lean/, which scripts/lean.cjs turns into dist/cli/lean-PROGRAM.cjs) call it.
 */
export function startDirect(main: (argv: readonly string[]) => number): void {
  const { prog, argv } = invocation(undefined);
  let code: number;
  try {
    code = main(argv);
  } catch (err) {
    failed(prog, err);
    return;
  }
  endNow(code);
  process.exitCode = code;
}

/**
 * What a start does first: the launcher's record taken, the profile read from the environment as
 * it was at start (a fused envdir changes it); then the program and its argv, from `name` (a
 * Node shim) or from the launcher's argv[0] as given, the program being its basename.
 */
function invocation(name: string | undefined): { prog: string; argv: string[] } {
  takeRecord();
  branches();
  const argv0 = name ?? process.argv[2] ?? '';
  const prog = argv0.slice(argv0.lastIndexOf('/') + 1);
  return { prog, argv: [argv0, ...process.argv.slice(name === undefined ? 3 : 2)] };
}

/** A program that threw: its internal error on stderr, exit 111. */
function failed(prog: string, err: unknown): void {
  fatal(prog, `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = EXIT_TEMPORARY;
}

/**
 * Ends the process with `code` now: process.reallyExit, which process.exit calls after its 'exit'
 * event, is the C library's exit (its atexit handlers run: Node's puts stdio's flags and the
 * terminal back as they were). Node's own ending, after the event loop empties, frees the
 * environment and V8's heap first, which a start of svstat pays ~0.6 ms for (2 % of `node -e 0`).
 * Where a Node has no reallyExit, the exit code is left for Node's ending.
 */
function endNow(code: number): void {
  const { reallyExit } = process as unknown as { reallyExit?: (code: number) => never };
  if (typeof reallyExit === 'function') reallyExit.call(process, code);
}

if (require.main === module) start();
