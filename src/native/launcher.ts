// Where the native programs (scripts/prebuild-files.cjs lists them) are: the launcher
// (native/launcher.c, built as dt-launch), which a logger's hand-over back to a host execs; the
// start gate (dt-gate), the pipe keeper (dt-keeper) and the services' group leader (dt-group).
import { accessSync, constants as fsc } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './index.js';
import { hostOs } from './platform.js';

/** The native programs by their file names. */
export type NativeProgram = 'dt-launch' | 'dt-gate' | 'dt-keeper' | 'dt-group';

const found = new Map<NativeProgram, string | null>();

/** The native program `file`, found as scripts/install-bin.cjs finds the launcher; null if there is none. */
export function nativeProgram(file: NativeProgram): string | null {
  let path = found.get(file);
  if (path === undefined) {
    path = null;
    for (const candidate of [
      join(PACKAGE_ROOT, 'build', 'Release', file),
      join(PACKAGE_ROOT, 'prebuilds', `${hostOs()}-${process.arch}`, file),
    ]) {
      try {
        accessSync(candidate, fsc.X_OK);
        path = candidate;
        break;
      } catch {
        // not here
      }
    }
    found.set(file, path);
  }
  return path;
}

/** The launcher executable; null if there is none. */
export const launcherPath = (): string | null => nativeProgram('dt-launch');
