// What ps, pidof, pgrep and killall see of our long-running programs: C's command name (comm)
// and the argv C's process would show in /proc/PID/cmdline, instead of node and its script.
import { accessSync, constants, statSync } from 'node:fs';
import { textBytes, toBytes } from '../lib/exec/bytes.js';
import { pathCandidates } from '../lib/pathexec.js';
import { commandLine, setCommandName, showCommandLine } from '../lib/proctitle.js';
import type { NativeBinding } from '../native/binding.js';
import { rawArgv } from './raw-argv.js';
import { LONG_RUNNING } from './tools.js';

/** C's svscanboot is a shell script: the kernel runs it as `/bin/sh SCRIPT ARGS...`. */
const SCRIPTS: Readonly<Record<string, string>> = { svscanboot: '/bin/sh' };

/** The addon, or null where it cannot be loaded (the command line is then shown without it). */
export function loadNative(): NativeBinding | null {
  try {
    return (require('../native/index.js') as typeof import('../native/index.js')).native();
  } catch {
    return null;
  }
}

/** The file execvp ran for `name` (a byte string): the first PATH candidate that is an executable file. */
function scriptPath(name: string): string {
  for (const file of pathCandidates(name, process.env.PATH)) {
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return textBytes(file);
    } catch {
      // not this one
    }
  }
  return name;
}

/** The argv C's `name` would show for our `argv` (byte strings, argv[0] as the program was given it). */
export function cArgv(name: string, argv: readonly string[]): string[] {
  const shell = SCRIPTS[name];
  return shell === undefined ? [...argv] : [shell, scriptPath(argv[0] ?? name), ...argv.slice(1)];
}

/** Makes program `name` (run with `argv`) look as C's does, if it is one that stays running. */
export function presentAs(name: string, argv: readonly string[]): void {
  if (!LONG_RUNNING.has(name)) return;
  // The command line first: whoever sees the name sees the command line too.
  const n = loadNative();
  showCommandLine(n, commandLine(cArgv(name, rawArgv(argv)).map(toBytes)));
  setCommandName(n, name);
}
