// Loads the addon once, on first use: the hot paths that need no syscall beyond Node's never load it.
import type { NativeBinding } from './binding.js';
import { linuxBranches, portableBinding } from './platform.js';

export type * from './binding.js';

let binding: NativeBinding | undefined;

/** What the addon exports: each of NativeBinding's members by name, made when first asked for. */
export interface Addon {
  get(name: string): unknown;
}

/**
 * The binding over the addon's get: each member is made on first use and kept. The addon makes
 * none at load, since making all of them cost every start that loads it ~0.6 M instructions, and
 * a chain uses a handful.
 */
export function lazy(addon: Addon): NativeBinding {
  const made: Record<string | symbol, unknown> = Object.create(null);
  return new Proxy(made, {
    get: (target, name) => (name in target || typeof name !== 'string' ? target[name] : (target[name] = addon.get(name))),
  }) as unknown as NativeBinding;
}

/** The package root: dist/native/index.js -> ../.. (also right for src/native under vitest). By
 * slicing, not path.join: its first call is compiled at a start that loads the addon. */
export const PACKAGE_ROOT = __dirname.slice(0, __dirname.lastIndexOf('/', __dirname.lastIndexOf('/') - 1));

export function native(): NativeBinding {
  if (binding === undefined) {
    binding = lazy(load());
    if (!linuxBranches()) binding = portableBinding(binding);
  }
  return binding;
}

function load(): Addon {
  // The launcher's loader (scripts/launch-loader.cjs) has loaded it already, where it could.
  const handed = (process as unknown as Record<symbol, Addon | undefined>)[Symbol.for('daemontools.addon')];
  if (handed !== undefined) return handed;
  // The local build, else the prebuild scripts/install-bin.cjs copied into bin/, straight away:
  // node-gyp-build's search costs a startup-visible millisecond, and require()'s resolution (it
  // reads package.json files) another ~0.2 ms. Only this module and the launcher's loader load the
  // addon, and it is loaded once.
  for (const file of ['build/Release/daemontools.node', 'bin/.daemontools.node']) {
    try {
      const addon = { exports: {} };
      process.dlopen(addon, `${PACKAGE_ROOT}/${file}`);
      return addon.exports as Addon;
    } catch {
      // not there: the next
    }
  }
  // Else the prebuild for this platform and ABI, wherever node-gyp-build finds it.
  return (require('node-gyp-build') as (dir: string) => Addon)(PACKAGE_ROOT);
}
