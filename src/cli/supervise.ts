// supervise DIR: one Supervisor in this process, with supervise's words for what goes wrong.
// svscan hosts many Supervisors and reuses the message functions below.
import { EXIT_OK, EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { adoptOrphans } from '../lib/scan/orphans.js';
import { formatWarning, Supervisor, SuperviseStartError, type Problem, type StartStep } from '../lib/supervise/supervisor.js';
import { envBytes } from '../lib/exec/bytes.js';
import { execContext } from './chain-host.js';
import { fatalText, warnText, writeErr } from './io.js';
import { actLikeC } from './c-signals.js';

const PROG = 'supervise';

const START_WORDS: Readonly<Record<StartStep, (dir: string) => string>> = {
  chdir: (dir) => `unable to chdir to ${dir}: `,
  down: (dir) => `unable to stat ${dir}/down: `,
  lock: (dir) => `unable to acquire ${dir}/supervise/lock: `,
  'control-read': (dir) => `unable to read ${dir}/supervise/control: `,
  'control-write': (dir) => `unable to write ${dir}/supervise/control: `,
  ok: (dir) => `unable to read ${dir}/supervise/ok: `,
};

/** The fatal line supervise prints when it cannot take `dir` over. */
export function startErrorText(dir: string, err: SuperviseStartError): string {
  return fatalText(PROG, START_WORDS[err.step](dir), err.cause);
}

/** The line supervise (or its child, for ./run) prints about a problem it carries on after. */
export function problemText(dir: string, problem: Problem): string {
  switch (problem.kind) {
    case 'status-open':
      return warnText(PROG, `unable to open ${dir}/supervise/status.new: `, problem.error);
    case 'status-write':
      return warnText(PROG, `unable to write ${dir}/supervise/status.new: `, problem.error);
    case 'status-partial':
      return warnText(PROG, `unable to write ${dir}/supervise/status.new: partial write`);
    case 'status-rename':
      return warnText(PROG, `unable to rename ${dir}/supervise/status.new to status: `, problem.error);
    case 'fork':
      return warnText(PROG, `unable to fork for ${dir}, sleeping 60 seconds: `, problem.error);
    case 'exec':
      return fatalText(PROG, `unable to start ${dir}/run: `, problem.error);
    case 'owner':
      return warnText(PROG, `unable to write ${dir}/supervise/owner.new: `, problem.error);
    case 'adopt':
      return warnText(PROG, `unable to adopt pid ${problem.pid} for ${dir}, starting ${dir}/run again: `, problem.error);
    case 'extension':
      return formatWarning(PROG, dir, problem.warning);
    case 'notify-socket':
      return warnText(PROG, `unable to bind a notify socket for ${dir}, NOTIFY_SOCKET not set: `, problem.error);
    case 'finish':
      return warnText(PROG, `unable to start ${dir}/finish: `, problem.error);
    case 'sidecar-open':
      return warnText(PROG, `unable to open ${dir}/supervise/status.json.new: `, problem.error);
    case 'sidecar-write':
      return warnText(PROG, `unable to write ${dir}/supervise/status.json.new: `, problem.error);
    case 'sidecar-rename':
      return warnText(PROG, `unable to rename ${dir}/supervise/status.json.new to status.json: `, problem.error);
  }
}

export function main(argv: readonly string[]): number | Promise<number> {
  const dir = argv[1];
  if (dir === undefined || argv.length > 2) {
    writeErr('supervise: usage: supervise dir\n');
    return EXIT_USAGE;
  }
  try {
    process.chdir(dir);
  } catch (err) {
    writeErr(fatalText(PROG, `unable to chdir to ${dir}: `, err));
    return EXIT_TEMPORARY;
  }
  const context = execContext();
  actLikeC(context.captured.ignored);
  // A subreaper, as svscan is: what a service double-forks away stays below us and is reaped here.
  adoptOrphans();
  return new Promise((resolve) => {
    const supervisor = new Supervisor(dir, {
      path: '.',
      env: envBytes(context.env),
      plan: context.plan(),
      onProblem: (problem) => writeErr(problemText(dir, problem)),
      onExit: () => resolve(EXIT_OK),
    });
    try {
      supervisor.start();
    } catch (err) {
      if (!(err instanceof SuperviseStartError)) throw err;
      writeErr(startErrorText(dir, err));
      resolve(EXIT_TEMPORARY);
    }
  });
}
