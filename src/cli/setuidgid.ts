// setuidgid: runs a program as an account -- its gid as the only group, then its uid (setuidgid.c).
import type { Link } from '../lib/exec/chain.js';
import { EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { native } from '../native/index.js';
import { lookupAccount } from './account.js';
import { fatalBytes, usage } from './io.js';

const PROG = 'setuidgid';

export const link: Link = (argv, ctx) => {
  if (argv.length < 3) {
    usage(PROG, 'account child');
    return { exit: EXIT_USAGE };
  }
  const account = argv[1]!;
  const child = argv.slice(2);
  const n = native();
  const pw = lookupAccount(account);
  if (pw === null) {
    fatalBytes(PROG, `unknown account ${account}`);
    return { exit: EXIT_TEMPORARY };
  }
  // Credentials change now, in this process, as in C: later links run as the account (the
  // groups for every thread, gid and uid for the chain's: ExecContext.takeGid). libc changes a
  // process's ids only when every thread can: an earlier setuidgid's are first every thread's.
  try {
    ctx.threadsFollow(n);
    n.setgroups([pw.gid]);
    ctx.takeGid(n, pw.gid);
  } catch (err) {
    fatalBytes(PROG, 'unable to setgid: ', err);
    return { exit: EXIT_TEMPORARY };
  }
  try {
    ctx.takeUid(n, pw.uid);
  } catch (err) {
    fatalBytes(PROG, 'unable to setuid: ', err);
    return { exit: EXIT_TEMPORARY };
  }
  return {
    exec: child,
    onExecError(err) {
      fatalBytes(PROG, `unable to run ${child[0]}: `, err);
      return EXIT_TEMPORARY;
    },
  };
};
