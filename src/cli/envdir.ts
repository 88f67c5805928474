// envdir: runs a program with the environment changed by the files of a directory (envdir.c).
import { constants } from 'node:fs';
import type { Link, LinkResult } from '../lib/exec/chain.js';
import type { ExecContext } from '../lib/exec/context.js';
import { EnvDirError, readEnvDir } from '../lib/envdir.js';
import type { EnvChange } from '../lib/pathexec.js';
import { EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { fatalBytes, usage } from './io.js';
import { native } from '../native/index.js';
import { systemBytes } from '../lib/exec/bytes.js';

const PROG = 'envdir';

/** A step that failed, with C's words for it. */
class Failure extends Error {
  constructor(
    readonly text: string,
    readonly err: unknown,
  ) {
    super(text);
  }
}

/** Reads `dir` (a byte string) from inside it, as envdir does, and comes back to the starting directory. */
function changesFrom(dir: string): EnvChange[] {
  // The addon's open, chdir and fchdir: Node's process.chdir takes text only, and has no fchdir.
  const n = native();
  let start: number;
  try {
    start = n.open('.', constants.O_RDONLY | constants.O_NONBLOCK, 0);
  } catch (err) {
    throw new Failure('unable to switch to current directory: ', err);
  }
  try {
    try {
      n.chdir(systemBytes(dir));
    } catch (err) {
      throw new Failure(`unable to switch to directory ${dir}: `, err);
    }
    let changes: EnvChange[];
    try {
      changes = readEnvDir('.');
    } catch (err) {
      if (!(err instanceof EnvDirError)) throw err;
      const what = err.stage === 'read' ? `unable to read ${dir}/${err.entry}: ` : `unable to read directory ${dir}: `;
      throw new Failure(what, err.cause);
    }
    try {
      n.fchdir(start);
    } catch (err) {
      throw new Failure('unable to switch to starting directory: ', err);
    }
    return changes;
  } finally {
    n.close(start);
  }
}

export const link: Link = (argv: readonly string[], ctx: ExecContext): LinkResult => {
  if (argv.length < 3) {
    usage(PROG, 'dir child');
    return { exit: EXIT_TEMPORARY }; // envdir's usage is a temporary failure, as in C
  }
  const dir = argv[1]!;
  const child = argv.slice(2);
  let changes: EnvChange[];
  try {
    changes = changesFrom(dir);
  } catch (err) {
    if (!(err instanceof Failure)) throw err;
    fatalBytes(PROG, err.text, err.err);
    return { exit: EXIT_TEMPORARY };
  }
  for (const [name, value] of changes) ctx.setEnv(name, value);
  return {
    exec: child,
    onExecError(err) {
      fatalBytes(PROG, `unable to run ${child[0]}: `, err);
      return EXIT_TEMPORARY;
    },
  };
};
