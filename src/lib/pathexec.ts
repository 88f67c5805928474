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

/**
 * What a PATH search does after one candidate's execve failed with an error code: go on without
 * it, go on remembering it (it is reported if no later candidate runs), or stop and report it.
 */
export type PathStep = 'skip' | 'remember' | 'stop';

/** A PATH search's retry rule: the errors it goes on past; every other error stops it. */
export interface PathRule {
  readonly skip: readonly string[];
  readonly remember: readonly string[];
}

/**
 * djb's rule (pathexec_run.c), the one every daemontools program that runs another follows:
 * past ENOENT, and past EACCES, EPERM and EISDIR remembering the last of them. native/exec.cc's
 * exec_files is its C copy (test/native/pathexec-rule.test.ts holds both to one table).
 */
export const PATHEXEC_RULE: PathRule = { skip: ['ENOENT'], remember: ['EACCES', 'EPERM', 'EISDIR'] };

/** execvp's rule, as env(1) in a shell script follows it: past ENOENT, and past EACCES, which it reports. */
export const EXECVP_RULE: PathRule = { skip: ['ENOENT'], remember: ['EACCES'] };

export function pathStep(code: string, rule: PathRule = PATHEXEC_RULE): PathStep {
  if (rule.skip.includes(code)) return 'skip';
  return rule.remember.includes(code) ? 'remember' : 'stop';
}

/** Why a PATH search ran nothing: the error to report and the candidate (by index) it came from. */
export interface PathFailure {
  readonly code: string;
  readonly index: number;
}

/**
 * Tries each candidate in order by `rule`: `attempt` runs one and returns null once it ran, or
 * its error code. Returns null when one ran, else what to report: the error that stopped the
 * search, else the last one remembered, else the last one skipped (named by the first candidate,
 * as exec_files names it).
 */
export function searchPath<T>(
  files: readonly T[],
  attempt: (file: T, index: number) => string | null,
  rule: PathRule = PATHEXEC_RULE,
): PathFailure | null {
  let remembered: PathFailure | undefined;
  let skipped = 'ENOENT';
  for (let index = 0; index < files.length; index++) {
    const code = attempt(files[index]!, index);
    if (code === null) return null;
    const step = pathStep(code, rule);
    if (step === 'stop') return { code, index };
    if (step === 'remember') remembered = { code, index };
    else skipped = code;
  }
  return remembered ?? { code: skipped, index: 0 };
}
