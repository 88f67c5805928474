// `daemontools remove NAME [--purge]`: api/remove.ts, with its outcome in words.
import { RemoveError, removeService } from '../../api/remove.js';
import { EXIT_OK, EXIT_USAGE } from '../../lib/exit-codes.js';
import { EXIT_FAILURE, EXIT_PARTIAL, PROG, describe as describeError, type Out } from './actions.js';

export async function remove(names: readonly string[], scandir: string, purge: boolean, timeout: number, io: Out): Promise<number> {
  let code = EXIT_OK;
  for (const name of names) {
    try {
      const r = await removeService(name, { scandir, purge, timeout: timeout * 1000 });
      const what = r.purged ? `deleted ${r.dir}` : `kept ${r.dir}`;
      io.out(`${name}: removed from ${scandir}${r.stopped.length > 0 ? ', supervise gone' : ' (it was not supervised)'}; ${what}\n`);
    } catch (err) {
      if (err instanceof RemoveError) {
        io.err(`${PROG}: fatal: ${name}: ${err.message}\n`);
        code = err.code === 'EBADNAME' ? EXIT_USAGE : err.code === 'ETIMEDOUT' ? EXIT_PARTIAL : EXIT_FAILURE;
      } else {
        io.err(`${PROG}: fatal: unable to remove ${name}: ${describeError(err)}\n`);
        code = EXIT_FAILURE;
      }
    }
  }
  return code;
}
