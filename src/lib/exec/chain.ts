// Fused chains: each link runs in this process and names the next program; when that program
// resolves (as pathexec would) to one of our own tools it runs here too, otherwise every queued
// effect is applied and the one real execve happens.
// The file system is asked through the addon (stat, access, realpath(3) in one call): node:fs's
// functions are compiled on their first call, which every chain's start would pay for these.
import { constants as fsc, statSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import type { ErrnoError } from '../errors.js';
import { envGet, pathCandidates, searchPath } from '../pathexec.js';
import { asText, systemBytes, textBytes } from './bytes.js';
import type { ExecContext } from './context.js';

export interface LinkExit {
  readonly exit: number;
}
export interface LinkExec {
  /** The next program's argv; argv[0] is looked up as pathexec does. */
  readonly exec: readonly string[];
  /** Reports a failed execve the way this program's C original does; returns the exit code. */
  readonly onExecError: (err: ErrnoError) => number;
}
export type LinkResult = LinkExit | LinkExec;
/** A link sees its arguments as C does: byte strings (exec/bytes.ts), its own name first. */
export type Link = (argv: readonly string[], ctx: ExecContext) => LinkResult | Promise<LinkResult>;

/** A program of ours that the chain can run in-process. */
export type Resolved =
  | { readonly kind: 'ours'; readonly name: string }
  | { readonly kind: 'exec'; readonly files: readonly string[] };

/** Runs a non-link program of ours in this process (the chain's environment already made the process's own). */
export type Dispatch = (name: string, argv: readonly string[]) => Promise<number>;

/** What a chain needs of the package it runs in. */
export interface ChainHost {
  readonly native: NativeBinding;
  /** Our own executables' directory (realpath), to recognise a name that resolves to us. */
  readonly binDir: string;
  /** Is `name` one of our programs, and one a chain may run in its own process? */
  isTool(name: string): boolean;
  /** The link program `name` of ours is; undefined for a program that is no link. */
  link(name: string): Link | undefined;
  /** Runs a program of ours that is no link. */
  readonly dispatch: Dispatch;
}

/** What resolve needs of the host. */
export type ResolveHost = Pick<ChainHost, 'binDir' | 'isTool' | 'native'>;

/** Which file execve would run for `file`, and whether it is one of ours (byte strings in, and out). */
export function resolve(file: string, pathVar: string | undefined, host: ResolveHost): Resolved {
  const files = pathCandidates(file, pathVar);
  let runs: string | Buffer | undefined;
  // The search execve's caller (native/exec.cc:exec_files) makes, by what the file system says.
  searchPath(files.map(systemBytes), (candidate) => {
    const code = execError(candidate, host.native);
    if (code === null) runs = candidate;
    return code;
  });
  if (runs !== undefined) {
    try {
      const real = host.native.realpath(runs);
      const slash = real.lastIndexOf('/'); // realpath's answer is absolute and ends in no slash
      const name = real.slice(slash + 1);
      if (real.slice(0, Math.max(slash, 1)) === host.binDir && host.isTool(name)) return { kind: 'ours', name };
    } catch {
      // not to be found again: let execve say what it is
    }
  }
  return { kind: 'exec', files };
}

const statOut = new Float64Array(2);

/** The error execve would meet at `candidate`, as far as the file system says; null if it would run it. */
function execError(candidate: string | Buffer, n: NativeBinding): string | null {
  try {
    // The addon's stat(2) where it has one: Node's statSync builds a Stats object, whose code a
    // chain's start would compile just for this.
    const mode = n.statId ? n.statId(candidate, statOut) : statSync(candidate).mode;
    if ((mode & fsc.S_IFMT) !== fsc.S_IFREG) return 'EACCES'; // a directory or a device: execve's EACCES
    n.access(candidate, fsc.X_OK);
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'EACCES';
  }
}

/**
 * Runs `first` and the links it hands on to; a program of ours that is no link runs through
 * `host.dispatch`. `argvBytes` are the bytes behind `argv`.
 */
export async function runChain(
  first: Link,
  argv: readonly string[],
  ctx: ExecContext,
  host: ChainHost,
  argvBytes: readonly string[] = argv.map(textBytes),
): Promise<number> {
  let link = first;
  let args = argv;
  let bytes = argvBytes;
  for (;;) {
    const result = await link(bytes, ctx);
    if ('exit' in result) return result.exit;
    const lookupPath = envGet(ctx.env, 'PATH'); // pathexec searches the PATH this program was given
    ctx.commitEnv();
    const execBytes = result.exec;
    const next = resolve(execBytes[0] ?? '', lookupPath, host);
    if (next.kind === 'ours') {
      const nextLink = host.link(next.name);
      args = textOf(execBytes, bytes, args);
      bytes = execBytes;
      if (nextLink) {
        link = nextLink;
        continue;
      }
      ctx.threadsFollow(host.native);
      adoptEnvironment(host.native, ctx.env);
      return host.dispatch(next.name, args);
    }
    try {
      host.native.execve(next.files.map(systemBytes), execBytes.map(systemBytes), ctx.env, ctx.plan());
    } catch (err) {
      return result.onExecError(err as ErrnoError);
    }
  }
}

/**
 * The next program's argv as Node would have read it (for a program of ours run on in-process): a
 * link hands on the tail of its own arguments, whose reading we have; anything else is read as
 * UTF-8.
 */
function textOf(exec: readonly string[], bytes: readonly string[], args: readonly string[]): string[] {
  const from = bytes.length - exec.length;
  const tail = from >= 0 && bytes.length === args.length && exec.every((b, i) => b === bytes[from + i]);
  return tail ? args.slice(from) : exec.map(asText);
}

/** Makes `env` (byte strings) this process's environment, for a program of ours that runs on in-process. */
function adoptEnvironment(n: NativeBinding, env: readonly string[]): void {
  // The first of each name wins, as getenv finds it.
  const seen = new Set<string>();
  const first = env.filter((entry) => {
    const name = entry.slice(0, Math.max(0, entry.indexOf('=')));
    if (name === '' || seen.has(name)) return false;
    seen.add(name);
    return true;
  });
  n.replaceEnviron(first);
}

export function defaultBinDir(packageRoot: string, n: NativeBinding): string {
  try {
    return n.realpath(`${packageRoot}/bin`);
  } catch {
    return `${packageRoot}/bin`;
  }
}
