// The addon builds under test: node-gyp's (always) and cmake-js's (when built).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeBinding } from '../../src/native/binding.js';
import { lazy, type Addon } from '../../src/native/index.js';

export const ROOT = join(__dirname, '..', '..');

export const ADDON_BUILDS: ReadonlyArray<readonly [string, string]> = (
  [
    ['node-gyp', join(ROOT, 'build', 'Release', 'daemontools.node')],
    ['cmake-js', join(ROOT, 'build-cmake', 'Release', 'daemontools.node')],
  ] as const
).filter(([, file]) => existsSync(file));

export function loadAddon(file: string): NativeBinding {
  return lazy(require(file) as Addon);
}

/**
 * JavaScript that binds `n` to the addon at `file`, as src/native/index.ts does (its members made
 * on first use), for a child process that cannot load our modules (one running as nobody).
 */
export function addonScript(file: string): string {
  return `const n = ((a) => new Proxy({}, { get: (t, k) => (k in t || typeof k !== 'string' ? t[k] : (t[k] = a.get(k))) }))(require(${JSON.stringify(file)}));`;
}
