// envuidgid: runs a program with $UID and $GID set to an account's uid and gid (envuidgid.c).
import type { Link } from '../lib/exec/chain.js';
import { EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { lookupAccount } from './account.js';
import { fatalBytes, usage } from './io.js';

const PROG = 'envuidgid';

export const link: Link = (argv, ctx) => {
  if (argv.length < 3) {
    usage(PROG, 'account child');
    return { exit: EXIT_USAGE };
  }
  const account = argv[1]!;
  const child = argv.slice(2);
  const pw = lookupAccount(account);
  if (pw === null) {
    fatalBytes(PROG, `unknown account ${account}`);
    return { exit: EXIT_TEMPORARY };
  }
  ctx.setEnv('GID', String(pw.gid));
  ctx.setEnv('UID', String(pw.uid));
  return {
    exec: child,
    onExecError(err) {
      fatalBytes(PROG, `unable to run ${child[0]}: `, err);
      return EXIT_TEMPORARY;
    },
  };
};
