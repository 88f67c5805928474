// fghack: runs a program and waits until it and everything it started have closed a pipe it
// holds thirty-one times over -- so a program that puts itself in the background still counts
// as running (fghack.c).
import { closeSync, readSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { errnoError, errnoName, isErrno } from '../lib/errors.js';
import { EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { pipeWriteCopies } from '../lib/fghack.js';
import { asText, toBytes } from '../lib/exec/bytes.js';
import { envGet, pathCandidates, searchPath } from '../lib/pathexec.js';
import type { FdOp, NativeBinding, SpawnResult } from '../native/binding.js';
import { native } from '../native/index.js';
import { execContext } from './chain-host.js';
import { rawArgv } from './raw-argv.js';
import { fatal, usage } from './io.js';

const PROG = 'fghack';
const SIGCHLD = osConstants.signals.SIGCHLD;
/** Spawns `argv` (byte strings, as `env`) as pathexec_run would exec it: each PATH candidate in turn, by djb's rule. */
function spawnProgram(
  n: NativeBinding,
  argv: readonly string[],
  env: readonly string[],
  fdOps: readonly FdOp[],
): SpawnResult & { readonly file: string } {
  const ctx = execContext();
  const files = pathCandidates(argv[0]!, envGet(env, 'PATH'));
  const tried: (SpawnResult & { file: string })[] = [];
  const failed = searchPath(files, (file) => {
    const result = { ...n.spawn(toBytes(file), argv.map(toBytes), env, ctx.plan(fdOps)), file: asText(file) };
    tried.push(result);
    if (result.execErrno === 0) return null;
    try {
      n.waitpid(result.pid, 0); // the failed child _exit(111)s at once
    } catch {
      // already reaped or not ours: nothing to collect
    }
    return errnoName(result.execErrno);
  });
  return tried[failed === null ? tried.length - 1 : failed.index]!;
}

/** Reads until every copy of the write end is closed. */
function drain(fd: number): void {
  const buffer = Buffer.alloc(4096);
  for (;;) {
    try {
      if (readSync(fd, buffer, 0, buffer.length, null) === 0) return;
    } catch (err) {
      if (isErrno(err, 'EINTR')) continue;
      return;
    }
  }
}

export function main(argv: readonly string[]): number {
  if (argv.length < 2) {
    usage(PROG, 'child');
    return EXIT_USAGE;
  }
  const child = argv.slice(1);
  const childBytes = rawArgv(argv).slice(1); // what the program is handed: the bytes we were
  const n = native();
  const ctx = execContext();

  let pipe: [number, number];
  try {
    pipe = n.pipe();
  } catch (err) {
    fatal(PROG, 'unable to create pipe: ', err);
    return EXIT_TEMPORARY;
  }
  const [readEnd, writeEnd] = pipe;
  const fdOps: FdOp[] = pipeWriteCopies((fd) => ctx.isOpen(fd)).map((to) => ['dup2', writeEnd, to] as const);

  let spawned;
  try {
    spawned = spawnProgram(n, childBytes, ctx.env, fdOps);
  } catch (err) {
    fatal(PROG, 'unable to fork: ', err);
    return EXIT_TEMPORARY;
  } finally {
    closeSync(writeEnd);
  }
  /** Wait status: by default that of C's child whose exec failed (it exits 111). */
  let status = EXIT_TEMPORARY << 8;
  if (spawned.execErrno !== 0) {
    // C's child says this itself and exits (spawnProgram has reaped it); its parent waits on.
    fatal(PROG, `unable to run ${child[0]}: `, errnoError(errnoName(spawned.execErrno), 'execve', spawned.file));
  } else {
    drain(readEnd);
  }
  closeSync(readEnd);
  try {
    if (spawned.execErrno === 0) status = n.waitpid(spawned.pid, 0)!.status;
    // C's fghack keeps a parent's SIGCHLD ignore, so the kernel reaps the child and waitpid
    // fails once it is gone; Node resets the disposition, so say what C would have seen.
    if (ctx.captured.ignored.includes(SIGCHLD)) throw errnoError('ECHILD', 'waitpid');
  } catch (err) {
    fatal(PROG, 'wait failed: ', err);
    return EXIT_TEMPORARY;
  }
  if ((status & 0x7f) !== 0) {
    fatal(PROG, 'child crashed');
    return EXIT_TEMPORARY;
  }
  return status >> 8;
}
