// fghack: runs a program and waits until it and everything it started have closed a pipe it
// holds thirty-one times over -- so a program that puts itself in the background still counts
// as running (fghack.c).
import { closeSync, readSync } from 'node:fs';
import { errnoError, errnoName, isErrno } from '../lib/errors.js';
import { EXIT_TEMPORARY, EXIT_USAGE } from '../lib/exit-codes.js';
import { pipeWriteCopies } from '../lib/fghack.js';
import { envGet, pathCandidates } from '../lib/pathexec.js';
import type { FdOp, NativeBinding, SpawnResult } from '../native/binding.js';
import { native } from '../native/index.js';
import { execContext } from './chain-host.js';
import { fatal, usage } from './io.js';

const PROG = 'fghack';
/** Errors after which pathexec goes on to the next PATH entry (remembering them). */
const REMEMBERED = ['EACCES', 'EPERM', 'EISDIR'];

/** Spawns `argv` as pathexec_run would exec it: each PATH candidate in turn. */
function spawnProgram(
  n: NativeBinding,
  argv: readonly string[],
  env: readonly string[],
  fdOps: readonly FdOp[],
): SpawnResult & { readonly file: string } {
  const ctx = execContext();
  const files = pathCandidates(argv[0]!, envGet(env, 'PATH'));
  let saved: (SpawnResult & { file: string }) | undefined;
  let last!: SpawnResult & { file: string };
  for (const file of files) {
    last = { ...n.spawn(file, argv, env, ctx.plan(fdOps)), file };
    if (last.execErrno === 0) return last;
    try {
      n.waitpid(last.pid, 0); // the failed child _exit(111)s at once
    } catch {
      // already reaped or not ours: nothing to collect
    }
    const code = errnoName(last.execErrno);
    if (code === 'ENOENT') continue;
    saved = last;
    if (!REMEMBERED.includes(code)) break;
  }
  return saved ?? last;
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
    spawned = spawnProgram(n, child, ctx.env, fdOps);
  } catch (err) {
    fatal(PROG, 'unable to fork: ', err);
    return EXIT_TEMPORARY;
  } finally {
    closeSync(writeEnd);
  }
  if (spawned.execErrno !== 0) {
    // C's child says this itself and exits 111, which its parent passes on.
    closeSync(readEnd);
    fatal(PROG, `unable to run ${child[0]}: `, errnoError(errnoName(spawned.execErrno), 'execve', spawned.file));
    return EXIT_TEMPORARY;
  }

  drain(readEnd);
  closeSync(readEnd);
  let status: number;
  try {
    status = n.waitpid(spawned.pid, 0)!.status;
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
