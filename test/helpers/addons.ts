// The addon builds under test: node-gyp's (always) and cmake-js's (when built).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeBinding } from '../../src/native/binding.js';

export const ROOT = join(__dirname, '..', '..');

export const ADDON_BUILDS: ReadonlyArray<readonly [string, string]> = (
  [
    ['node-gyp', join(ROOT, 'build', 'Release', 'daemontools.node')],
    ['cmake-js', join(ROOT, 'build-cmake', 'Release', 'daemontools.node')],
  ] as const
).filter(([, file]) => existsSync(file));

export function loadAddon(file: string): NativeBinding {
  return require(file) as NativeBinding;
}
