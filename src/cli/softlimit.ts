// softlimit: runs a program with lower soft resource limits (softlimit.c). The limits go into the
// exec context, applied at the final execve: this process never runs under them.
import type { Link } from '../lib/exec/chain.js';
import { errnoError } from '../lib/errors.js';
import { EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { parseSoftlimitArgs, softLimit } from '../lib/softlimit.js';
import { native } from '../native/index.js';
import { reportProblem } from './getopt-problem.js';
import { fatalBytes, usage } from './io.js';

const PROG = 'softlimit';
const USAGE =
  '[-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] [-t cpusecs] child';

export const link: Link = (argv, ctx) => {
  const args = parseSoftlimitArgs(argv);
  if (args.kind === 'usage') {
    if (args.problem) reportProblem(argv[0], args.problem);
    usage(PROG, USAGE);
    return { exit: EXIT_USAGE };
  }
  const resources = native().constants.RLIMIT;
  for (const { resources: names, arg } of args.settings) {
    for (const name of names) {
      const resource = resources[name];
      if (resource === undefined) continue; // not on this system: C compiles the call out
      const limits = ctx.getrlimit(resource);
      if (!limits) {
        fatalBytes(PROG, 'getrlimit failed: ', errnoError('EINVAL', 'getrlimit'));
        return { exit: EXIT_TEMPORARY };
      }
      ctx.setSoftLimit(resource, softLimit(arg, limits[1]));
    }
  }
  const child = args.child;
  return {
    exec: child,
    onExecError(err) {
      fatalBytes(PROG, `unable to run ${child[0]}: `, err);
      return EXIT_TEMPORARY;
    },
  };
};
