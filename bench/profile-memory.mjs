#!/usr/bin/env node
// The memory a logged service costs in each profile, for the README's platform table: PSS of
// svscan and everything below it but the services, N logged `sleep` services, with the Linux
// branches (loggers hosted) and with DAEMONTOOLS_PROFILE=portable (a Node multilog each, as on
// FreeBSD and macOS); C daemontools beside them. Usage: node bench/profile-memory.mjs [N] [runs]
import { loadavg } from 'node:os';
import { cleanup, installCleanup, tempDir } from './lib/cleanup.mjs';
import { pssKb, sumByRole, tree } from './lib/proctree.mjs';
import { sleep } from './lib/procs.mjs';
import { flavours, startTree } from './lib/services.mjs';

const n = Number(process.argv[2] ?? 20);
const runs = Number(process.argv[3] ?? 1);
/** Past svscan's settle and its second collection (src/lib/scan/settle.ts), as bench group 2 waits. */
const SETTLE_MS = 10000;
installCleanup();

const all = flavours({ multilog: true, svscan: true, why: {} });
const trees = {
  linux: all.ours,
  portable: { ...all.ours, env: { ...all.ours.env, DAEMONTOOLS_PROFILE: 'portable' } },
  C: all.C,
};

const mb = (kb) => (kb / 1024).toFixed(1);
console.log(`N=${n} logged services, ${runs} run(s) each, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const [name, flavour] of Object.entries(trees)) {
  for (let r = 0; r < runs; r++) {
    const base = tempDir(`profile-${name}`);
    try {
      const { root } = await startTree(flavour, base, n, { timeoutMs: 120000 });
      await sleep(SETTLE_MS);
      const s = sumByRole(tree(root), pssKb);
      const total = s.supervisor + s.logger;
      console.log(
        `${name.padEnd(8)} supervisors ${mb(s.supervisor)} MB (${s.counts.supervisor} processes), loggers ${mb(s.logger)} MB (${s.counts.logger}), ` +
          `total ${mb(total)} MB, ${mb(total / n)} MB per logged service`,
      );
    } finally {
      cleanup(base);
    }
  }
}
