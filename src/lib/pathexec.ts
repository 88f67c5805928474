// djb's pathexec: how a chain program builds the next program's environment and finds its file.

/** An environment change queued by a program (value undefined removes the variable). */
export type EnvChange = readonly [name: string, value: string | undefined];

/**
 * Applies changes to an environment in environ order exactly as pathexec does: a replaced or
 * removed variable's slot is filled by the last entry, and new entries go at the end.
 */
export function applyEnvChanges(environ: readonly string[], changes: readonly EnvChange[]): string[] {
  const env = environ.slice();
  for (const [name, value] of changes) {
    const entry = value === undefined ? name : `${name}=${value}`;
    const eq = entry.indexOf('=');
    const split = eq < 0 ? entry.length : eq;
    const prefix = entry.slice(0, split);
    const at = env.findIndex((e) => e.startsWith(prefix) && e.charCodeAt(split) === 61 /* = */);
    if (at >= 0) {
      env[at] = env[env.length - 1]!;
      env.pop();
    }
    if (eq >= 0) env.push(entry);
  }
  return env;
}

/** The first value of `name` in an environ list, as env_get finds it. */
export function envGet(environ: readonly string[], name: string): string | undefined {
  const prefix = `${name}=`;
  const hit = environ.find((e) => e.startsWith(prefix));
  return hit === undefined ? undefined : hit.slice(prefix.length);
}

export const DEFAULT_PATH = '/bin:/usr/bin';

/**
 * The files pathexec would try for `file`, in order: the name itself when it holds a slash, else
 * each PATH element (default /bin:/usr/bin; an empty element means the current directory).
 */
export function pathCandidates(file: string, path: string | undefined): string[] {
  if (file.includes('/')) return [file];
  return (path ?? DEFAULT_PATH).split(':').map((dir) => `${dir === '' ? '.' : dir}/${file}`);
}
