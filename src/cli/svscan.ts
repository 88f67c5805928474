// svscan [dir]: supervises every service directory in dir (default: the current directory), each
// by a supervisor in this one process, with C svscan's and C supervise's words on stderr.
//
// Environment, read by svscan itself (and left in the services' environment like any other):
//   SVSCAN_STOP_ON_TERM=1   SIGTERM or SIGINT brings every service down (as svc -dx: TERM, CONT),
//                           services before their loggers; svscan exits 0 once all are down.
//                           The services run in a process group of their own, so a terminal's
//                           Ctrl-C reaches svscan alone (lib/scan/group.ts).
//                           Always so when svscan runs as PID 1 (a container's entrypoint).
//                           Otherwise SIGTERM ends svscan at once, as C's, and services keep running.
//   SVSCAN_RESCAN_SECONDS=n the fallback rescan period (default 5, as C); for tests.
import { EXIT_OK, EXIT_TEMPORARY } from '../lib/exit-codes.js';
import type { SupervisorReport } from '../lib/scan/host.js';
import type { ScanProblem } from '../lib/scan/scanner.js';
import { startServiceGroup } from '../lib/scan/group.js';
import { Svscan } from '../lib/scan/svscan.js';
import { envBytes } from '../lib/exec/bytes.js';
import { execContext } from './chain-host.js';
import { fatalText, warnText, writeErr } from './io.js';
import { problemText, startErrorText } from './supervise.js';
import { actLikeC } from './c-signals.js';

const PROG = 'svscan';

function scanProblemText(problem: ScanProblem): string {
  switch (problem.kind) {
    case 'stat':
      return warnText(PROG, `unable to stat ${problem.path}: `, problem.error);
    case 'pipe':
      return warnText(PROG, `unable to create pipe for ${problem.name}: `, problem.error);
    case 'readdir':
      return warnText(PROG, 'unable to read directory: ', problem.error);
    case 'log-pipe':
      return warnText(PROG, `unable to recover pipe for ${problem.name}, restarting ${problem.name} and its log: `, problem.error);
    case 'descriptors':
      return warnText(PROG, `unable to start ${problem.name}: `, problem.error);
  }
}

function reportText(report: SupervisorReport): string {
  return report.kind === 'start' ? startErrorText(report.dir, report.error) : problemText(report.dir, report.problem);
}

function rescanSeconds(text: string | undefined): number | undefined {
  if (text === undefined || !/^[1-9][0-9]*$/.test(text)) return undefined;
  return Math.min(Number(text), 86400);
}

export function main(argv: readonly string[]): number | Promise<number> {
  const dir = argv[1];
  if (dir !== undefined) {
    try {
      process.chdir(dir);
    } catch (err) {
      writeErr(fatalText(PROG, `unable to chdir to ${dir}: `, err));
      return EXIT_TEMPORARY;
    }
  }
  const stopOnTerm = process.pid === 1 || process.env.SVSCAN_STOP_ON_TERM === '1';
  const context = execContext();
  actLikeC(context.captured.ignored, new Set(stopOnTerm ? ['SIGTERM', 'SIGINT'] : []));
  const pgid = stopOnTerm ? startServiceGroup() : null;
  const svscan = new Svscan({
    env: envBytes(context.env),
    plan: pgid === null ? context.plan() : { ...context.plan(), pgid },
    rescanSeconds: rescanSeconds(process.env.SVSCAN_RESCAN_SECONDS),
    onScanProblem: (problem) => writeErr(scanProblemText(problem)),
    onSupervisorReport: (report) => writeErr(reportText(report)),
  });
  return new Promise((resolve) => {
    if (stopOnTerm) {
      const stop = (): void => {
        svscan.stop().then(() => resolve(EXIT_OK), () => resolve(EXIT_TEMPORARY));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    }
    svscan.start();
  });
}
