// multilog's engine hosted for a logger stub: the script from the stub's argv, input from its
// stdin pipe (read as C reads it), messages and `e` output on its stderr, files made as its
// identity with C multilog's umask (022), processors forked with its own state and credentials
// (processor-context.ts); its exit code goes back to the stub.
import { writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { native } from '../../native/index.js';
import { errorWords } from '../error-str.js';
import { Multilog } from '../multilog/engine.js';
import { MultilogFatal } from '../multilog/errors.js';
import type { FsActor } from '../multilog/fs.js';
import { pump } from '../multilog/input.js';
import { BURST_ROOM, peekingReader } from '../multilog/peek.js';
import { grownPast, settleInput } from '../multilog/settle-input.js';
import { systemIO } from '../multilog/io.js';
import { parseScript, type Script } from '../multilog/script.js';
import { asIdentity, type Identity } from './identity.js';
import { LoggerContext } from './processor-context.js';
import { stubStops } from './stopped.js';
import type { HostedLogger, LoggerFactory } from './server.js';

/** C multilog's umask(022), the first thing it does. */
const MULTILOG_UMASK = 0o022;
const EXIT_TEMPORARY = 111;

function writeTo(fd: number, text: string): void {
  if (fd < 0) return;
  try {
    writeSync(fd, text);
  } catch {
    // the logger's stderr is gone: C's message would be lost the same way
  }
}

export const hostMultilog: LoggerFactory = (proc) => {
  let script: Script;
  try {
    script = parseScript(proc.identity.argv.slice(1));
  } catch {
    return null; // a bad script: the stub runs on its own and says so itself
  }
  const n = native();
  const who: Identity = { ...proc.identity, umask: MULTILOG_UMASK };
  const actor: FsActor = { run: (fn) => asIdentity(n, who, fn) };
  const say = (kind: string) => (parts: string, err?: unknown) =>
    writeTo(proc.stderr, `multilog: ${kind}: ${parts}${err === undefined ? '' : errorWords(err)}\n`);
  const messages = { warn: say('warning'), fatal: say('fatal') };
  let engine: Multilog | null = null;
  let alarmed = false;
  let terminated = false;
  /** A TERM reached the logger (not a hand-back): it ends. */
  let signalled = false;
  /** The host that asked for the logger, once one did. */
  let handBackTo = 0;
  let aborted = false;
  // Stopped (svc -p, a SIGSTOP), the stub's engine reads nothing, as a stopped C multilog.
  const stops = stubStops(n, proc.identity.pid);

  const run = async (): Promise<void> => {
    const io = systemIO(messages, { stderrFd: proc.stderr, exec: () => new LoggerContext(proc, who), actor });
    try {
      // A stub whose host died left `current` open: no crash of the logger's, it is gone on with.
      engine = await Multilog.open(script, io, { cwd: proc.identity.cwd, resume: proc.resumed, holdDirectories: false });
    } catch (err) {
      if (!(err instanceof MultilogFatal)) throw err;
      messages.fatal(err.parts, err.cause);
      proc.exit(EXIT_TEMPORARY);
      return;
    }
    // What a host before us left in hand (its ledger), settled before the first read; the line
    // head it held comes first.
    const held = settle();
    if (held.length) await engine.push(held);
    // Signals that came during start-up count after the first read, as in C.
    if (alarmed) void engine.rotate();
    if (terminated) engine.terminate();
    // The input is taken out of the pipe only once written out: if svscan dies in between, the
    // bytes are still there for the logger's fallback or the next host.
    await pump(proc.stdin, engine, BURST_ROOM, peekingReader(n, proc.keeping, () => aborted, stops, held));
    // C's exit lets go of the locks; the host goes on, so the engine's descriptors close here
    // (a killed logger's engine was released by pump already: the flag cannot change in between).
    if (!aborted) engine.release();
    // Asked for by another host and not told to end: the stub goes there, its line finished.
    if (handBackTo !== 0 && !signalled) proc.moveTo(handBackTo);
    else proc.exit(0);
  };
  const settle = (): Buffer => {
    const kept = proc.keeping?.lend() ?? null;
    if (!kept) return Buffer.alloc(0);
    try {
      // `current` paths as the logger's cwd shows them, looked at as the logger.
      return settleInput(n, proc.stdin, kept, (f) => asIdentity(n, who, () => grownPast(resolve(proc.identity.cwd, f.path), f.size)));
    } catch {
      return Buffer.alloc(0);
    } finally {
      proc.keeping!.giveBack(kept);
    }
  };
  run().catch((err: unknown) => {
    messages.fatal(`internal error: ${err instanceof Error ? err.message : String(err)}`);
    proc.exit(EXIT_TEMPORARY);
  });

  const logger: HostedLogger = {
    alarm: () => {
      if (engine) void engine.rotate();
      else alarmed = true;
    },
    terminate: () => {
      signalled = true;
      if (engine) engine.terminate();
      else terminated = true;
    },
    handBack: (host) => {
      if (handBackTo !== 0) return;
      handBackTo = host;
      if (engine) engine.terminate();
      else terminated = true;
    },
    continued: () => stops.continued(),
    // The process is gone (killed): read nothing more, as a killed C multilog would not; what was
    // written out is taken from the pipe, the rest stays there for the next logger, and the
    // directories are closed (and unlocked) as soon as the write in hand is done.
    abort: () => {
      aborted = true;
      (engine as Multilog | null)?.onStop?.();
    },
  };
  return logger;
};
