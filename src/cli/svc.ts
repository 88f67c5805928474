// svc: sends supervise the command letters given as options, for each directory named.
import { writeSync } from 'node:fs';
import { parseSvcArgs } from '../lib/control.js';
import { writeControl } from '../lib/svdir.js';
import { problemMessage } from '../lib/sgetopt.js';
import { OriginDir } from '../lib/origin-dir.js';
import { EXIT_OK, EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { fatal, warnBytes, writeErr } from './io.js';
import { rawArgv } from './raw-argv.js';
import { chdirTo } from './sv-dir.js';

const PROG = 'svc';
const USAGE =
  'svc options: u up, d down, o once, x exit, p pause, c continue, h hup, a alarm, i interrupt, t term, k kill\n';

export function main(argv: readonly string[]): number {
  const args = parseSvcArgs(argv);
  if (!args.ok) {
    writeBytes(problemMessage(argv[0], args.problem));
    writeErr(USAGE);
    return EXIT_USAGE;
  }
  let home: OriginDir;
  try {
    home = OriginDir.open();
  } catch (err) {
    fatal(PROG, 'unable to open current directory: ', err);
    return EXIT_TEMPORARY;
  }
  // The directories as their bytes, as C's svc takes them: the arguments after the options.
  const dirs = rawArgv(argv).slice(argv.length - args.dirs.length);
  for (const dir of dirs) {
    try {
      chdirTo(dir);
    } catch (err) {
      warnBytes(PROG, `unable to chdir to ${dir}: `, err);
      if (!restore(home)) return EXIT_TEMPORARY;
      continue;
    }
    try {
      writeControl('.', args.commands);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.syscall === 'write') warnBytes(PROG, `error writing commands to ${dir}: `, err);
      else if (e.code === 'ENXIO') warnBytes(PROG, `unable to control ${dir}: supervise not running`);
      else warnBytes(PROG, `unable to control ${dir}: `, err);
    }
    if (!restore(home)) return EXIT_TEMPORARY;
  }
  return EXIT_OK;
}

function restore(home: OriginDir): boolean {
  try {
    home.restore();
    return true;
  } catch (err) {
    fatal(PROG, 'unable to set directory: ', err);
    return false;
  }
}

/** sgetopt's complaint carries a raw byte, so it goes out as bytes. */
function writeBytes(bytes: Buffer): void {
  try {
    writeSync(2, bytes);
  } catch {
    // stderr gone: nothing to tell.
  }
}
