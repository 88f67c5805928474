// Everything multilog's engine does outside its own memory and the log directories' files:
// messages, stderr output, pauses, the clock, writes (so tests can make them fail), locking and
// processors. The engine never owns the process: the program (or svscan hosting it) supplies this.
import { fsyncSync, writeSync } from 'node:fs';
import { WallClock, type Clock } from '../tai64n.js';
import type { NativeBinding } from '../../native/binding.js';
import { native } from '../../native/index.js';
import { ExecContext } from '../exec/context.js';
import { fsAs, ownFs, type FsActor, type MultilogFs } from './fs.js';
import { lockExclusiveNonblocking } from './lock.js';
import { nativeStarter, nodeStarter, runProcessor, type ProcessorJob, type ProcessorOutcome, type ShellStarter } from './processor.js';

export interface MultilogIO {
  /** `parts` in djb's words ("unable to write to ./main/current, pausing: "); `err` supplies the rest. */
  warn(parts: string, err?: unknown): void;
  /** A fatal message that does not end this process (a processor that could not be started). */
  fatal(parts: string, err?: unknown): void;
  /** Bytes for stderr (the `e` action), in order. */
  stderr(data: Buffer): void;
  /** deepsleep: wait before trying again. */
  sleep(ms: number): Promise<void>;
  /** The wall clock; `check` (if any) is called once per input chunk to catch clock steps. */
  readonly clock: Clock & { check?(): void };
  /** write(2), or pwrite(2) when `position` is a number; returns the bytes written. */
  write(fd: number, buf: Buffer, offset: number, length: number, position: number | null): number;
  fsync(fd: number): void;
  /** flock(fd, LOCK_EX | LOCK_NB); throws when someone else holds it. */
  lock(fd: number): void;
  runProcessor(job: ProcessorJob): Promise<ProcessorOutcome>;
  /** The calls that create, rename, remove or look up files, as the logger makes them (default: ours). */
  readonly fs?: MultilogFs;
}

export interface MessageSink {
  warn(parts: string, err?: unknown): void;
  fatal(parts: string, err?: unknown): void;
}

export interface SystemOptions {
  /** Where `e` output, and the processors' stderr, go (default 2). */
  readonly stderrFd?: number;
  /**
   * The process state processors are handed (limits, signals, inherited descriptors), as a fork of
   * C multilog would have it; by default the one this process was started with.
   */
  readonly exec?: () => ExecContext;
  /** Who the file system calls run as (a hosted logger's identity); by default this process. */
  readonly actor?: FsActor;
}

/** The real thing: files, flock, /bin/sh, the wall clock. */
export function systemIO(messages: MessageSink, options: SystemOptions = {}): MultilogIO {
  const stderrFd = options.stderrFd ?? 2;
  const clock = new WallClock();
  let starter: ShellStarter | undefined;
  const shell = (): ShellStarter => (starter ??= pickStarter(options.exec));
  const fs = options.actor ? fsAs(options.actor) : ownFs;
  return {
    warn: messages.warn,
    fatal: messages.fatal,
    stderr(data) {
      try {
        for (let at = 0; at < data.length; ) at += writeSync(stderrFd, data, at, data.length - at);
      } catch {
        // A closed or broken stderr loses the text, as C's buffer_2 does.
      }
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    clock,
    write: (fd, buf, offset, length, position) => writeSync(fd, buf, offset, length, position),
    fsync: fsyncSync,
    lock: lockExclusiveNonblocking,
    runProcessor: (job) => runProcessor(job, messages, stderrFd, shell(), fs),
    fs,
  };
}

function pickStarter(exec: (() => ExecContext) | undefined): ShellStarter {
  let n: NativeBinding;
  try {
    n = native();
  } catch {
    return nodeStarter;
  }
  let context: ExecContext | undefined;
  return nativeStarter(n, exec ?? (() => (context ??= ExecContext.fromProcess(n))));
}
