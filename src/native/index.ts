// Loads the addon once, on first use: the hot paths that need no syscall beyond Node's never load it.
import { join } from 'node:path';
import type { NativeBinding } from './binding.js';
import { linuxBranches, portableBinding } from './platform.js';

export type * from './binding.js';

let binding: NativeBinding | undefined;

/** The package root: dist/native/index.js -> ../.. (also right for src/native under vitest). */
export const PACKAGE_ROOT = join(__dirname, '..', '..');

export function native(): NativeBinding {
  if (binding === undefined) {
    try {
      // The local build, straight away: node-gyp-build's search costs a startup-visible millisecond,
      // and require()'s resolution (it reads package.json files) another ~0.2 ms. Only this module
      // loads the addon, once.
      const addon = { exports: {} };
      process.dlopen(addon, join(PACKAGE_ROOT, 'build', 'Release', 'daemontools.node'));
      binding = addon.exports as NativeBinding;
    } catch {
      // Else the prebuild for this platform and ABI.
      const load = require('node-gyp-build') as (dir: string) => NativeBinding;
      binding = load(PACKAGE_ROOT);
    }
    if (!linuxBranches()) binding = portableBinding(binding);
  }
  return binding;
}
