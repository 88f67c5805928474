// pgrphack: runs a program in a new session and process group (pgrphack.c).
import type { Link } from '../lib/exec/chain.js';
import { EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { native } from '../native/index.js';
import { fatalBytes, usage } from './io.js';

const PROG = 'pgrphack';

export const link: Link = (argv) => {
  if (argv.length < 2) {
    usage(PROG, 'child');
    return { exit: EXIT_USAGE };
  }
  const child = argv.slice(1);
  try {
    native().setsid();
  } catch {
    // Already a process group leader: C ignores the failure too.
  }
  return {
    exec: child,
    onExecError(err) {
      fatalBytes(PROG, `unable to run ${child[0]}: `, err);
      return EXIT_TEMPORARY;
    },
  };
};
