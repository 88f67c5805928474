// The orphan host (src/lib/loghost/orphans.ts), no program of djb's: svscan's pipe keeper
// (native/keeper.c) runs `node dist/cli/orphan-host.js DIR SVSCAN-PID FD` at svscan's death, FD
// being svscan's log host socket. It hosts the logger stubs svscan left until a new svscan takes
// them back, then exits 0; 111 if it cannot host at all (the stubs then run on their own).
import { EXIT_OK, EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { giveBack, Settle } from '../lib/scan/settle.js';
import { native } from '../native/index.js';

export async function main(argv: readonly string[]): Promise<number> {
  const fd = Number(argv[2]);
  if (!/^[0-9]+$/.test(argv[2] ?? '')) return EXIT_TEMPORARY;
  const { hostOrphans, inheritedPipes } = require('../lib/loghost/orphans.js') as typeof import('../lib/loghost/orphans.js');
  const n = native();
  // Memory given back once the stubs are taken in, as svscan does after a burst of starts.
  const settle = new Settle(() => giveBack(n));
  settle.poke();
  await hostOrphans(n, fd, inheritedPipes(n, fd), () => settle.poke());
  settle.close();
  return EXIT_OK;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => void (process.exitCode = code),
    () => void (process.exitCode = EXIT_TEMPORARY),
  );
}
