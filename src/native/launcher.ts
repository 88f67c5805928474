// Where the launcher executable (native/launcher.c, built as dt-launch) is: the gate, the pipe
// keeper and a logger's hand-over back to a host all exec it.
import { accessSync, constants as fsc } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './index.js';
import { hostOs } from './platform.js';

let launcher: string | null | undefined;

/** The launcher executable, found as scripts/install-bin.cjs finds it; null if there is none. */
export function launcherPath(): string | null {
  if (launcher === undefined) {
    launcher = null;
    for (const file of [
      join(PACKAGE_ROOT, 'build', 'Release', 'dt-launch'),
      join(PACKAGE_ROOT, 'prebuilds', `${hostOs()}-${process.arch}`, 'dt-launch'),
    ]) {
      try {
        accessSync(file, fsc.X_OK);
        launcher = file;
        break;
      } catch {
        // not here
      }
    }
  }
  return launcher;
}
