// setlock: runs a program holding an exclusive lock on a file (setlock.c). The locked descriptor
// is handed to the program at the number C's open would have returned.
import { closeSync, constants, openSync } from 'node:fs';
import type { Link } from '../lib/exec/chain.js';
import { EXIT_OK, EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { Getopt } from '../lib/sgetopt.js';
import { native } from '../native/index.js';
import { systemBytes } from '../lib/exec/bytes.js';
import { reportProblem } from './getopt-problem.js';
import { fatalBytes, usage } from './io.js';

const PROG = 'setlock';
const USAGE = '[ -nNxX ] file program [ arg ... ]';
/** open_append: the flags and mode djb's setlock opens the lock file with. */
const OPEN_FLAGS = constants.O_WRONLY | constants.O_NONBLOCK | constants.O_APPEND | constants.O_CREAT;
const OPEN_MODE = 0o600;

interface Options {
  /** -n: fail at once if the lock is held (-N: wait, the default). */
  noDelay: boolean;
  /** -x: exit 0 quietly if the file cannot be opened or locked (-X: complain, the default). */
  quiet: boolean;
}

export const link: Link = (argv, ctx) => {
  const options: Options = { noDelay: false, quiet: false };
  const getopt = new Getopt(argv, 'nNxX');
  for (let opt = getopt.next(); opt !== null; opt = getopt.next()) {
    if (opt.kind === 'problem') {
      reportProblem(argv[0], opt);
      usage(PROG, USAGE);
      return { exit: EXIT_USAGE };
    }
    if (opt.opt === 'n') options.noDelay = true;
    else if (opt.opt === 'N') options.noDelay = false;
    else if (opt.opt === 'x') options.quiet = true;
    else options.quiet = false;
  }
  const file = argv[getopt.optind];
  const child = argv.slice(getopt.optind + 1);
  if (file === undefined || child.length === 0) {
    usage(PROG, USAGE);
    return { exit: EXIT_USAGE };
  }

  let fd: number;
  try {
    fd = openSync(systemBytes(file), OPEN_FLAGS, OPEN_MODE);
  } catch (err) {
    if (options.quiet) return { exit: EXIT_OK };
    fatalBytes(PROG, `unable to open ${file}: `, err);
    return { exit: EXIT_TEMPORARY };
  }
  const n = native();
  try {
    n.flock(fd, n.constants.LOCK_EX | (options.noDelay ? n.constants.LOCK_NB : 0));
  } catch (err) {
    closeSync(fd);
    if (options.quiet) return { exit: EXIT_OK };
    fatalBytes(PROG, `unable to lock ${file}: `, err);
    return { exit: EXIT_TEMPORARY };
  }
  // Our descriptor is close-on-exec (Node opens so); the program gets its own copy.
  ctx.inheritFd(fd, ctx.lowestFreeFd());
  return {
    exec: child,
    onExecError(err) {
      fatalBytes(PROG, `unable to run ${child[0]}: `, err);
      return EXIT_TEMPORARY;
    },
  };
};
