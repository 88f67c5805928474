// State a process holds once, however many copies of the module holding it are loaded: a lean
// start (scripts/lean.cjs) carries its own copy of each module it hoists, and a program it runs on
// in-process (a chain that ends in svscan, say) loads the same modules again from dist/.
/** The object kept under `name` for the whole process, made by `init` on the first call. */
export function processSlot<T extends object>(name: string, init: () => T): T {
  const slots = process as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`daemontools.${name}`);
  return (slots[key] ??= init());
}
