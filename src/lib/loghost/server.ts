// The host side of the logger stub (native/stub.c; the bytes are in protocol.ts): a multilog
// started by one of our supervisors connects to daemontools-host/<our pid>, and its engine runs
// here, in svscan's event loop, on its stdin and stderr and as its identity. The stub keeps the
// process (pid for svc/svstat, signals, credentials, cwd); it relays SIGALRM and SIGTERM, says
// when it is continued after a stop, and exits with the code we send, or runs as an ordinary
// multilog instead when refused.
import { closeSync, constants as fsc, fstatSync, openSync, readlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { NativeBinding } from '../../native/binding.js';
import { linuxBranches } from '../../native/platform.js';
import { descriptorPair, FIELD, FLAG_SET, recordField } from '../exec/captured.js';
import { parentPid, procStat } from '../proc-stat.js';
import { readProcState, type ProcState } from '../proc/state.js';
import { readIdentity, type Identity } from './identity.js';
import type { Keeping, Kept } from '../multilog/peek.js';
import { recordMismatch } from './record-check.js';
import { SharedCopies } from './shared-copies.js';
import { exitMessage, hostSocket, LEDGER_NAME, MAX_RECORD, moveMessage, RECORD_END, refuseMessage, STUB } from './protocol.js';
import { takeWelcome } from './rehost.js';

/** What a hosted engine needs from its process. */
export interface LoggerProcess {
  readonly identity: Identity;
  /**
   * Its signals, limits and descriptors as the kernel shows them now; once it is gone, as they
   * were when it came (its record agreed with them then).
   */
  currentState(): ProcState;
  /** Our copy (close-on-exec) of the logger's descriptor `fd`, taken from its process; -1 if it has none. */
  copyFd(fd: number): number;
  /** Our own open of the stub's stdin pipe (a description of our own: its flags are ours). */
  readonly stdin: number;
  /** Our copy of the stub's stderr (the same open file description), or -1. */
  readonly stderr: number;
  /**
   * The stub's ledger (what of its input was dealt with: a stub whose host died settles its input
   * by it) and bin pipe (see native/stub.c, peek.ts), copied from its process when lent; null when
   * its record named none.
   */
  readonly keeping: Keeping | null;
  /** Ends the stub (and so the logger) with `code`; closes our copies of its descriptors. */
  exit(code: number): void;
  /** Sends the stub on to the host `pid` (it connects there afresh); closes our copies. */
  moveTo(pid: number): void;
  /** It lost a host before this one: the `current` it left open was no crash of the logger's. */
  readonly resumed: boolean;
}

/** The hosted engine, as the host drives it; it reads `stdin` itself, and calls exit() when done. */
export interface HostedLogger {
  /** SIGALRM reached the logger. */
  alarm(): void;
  /** SIGTERM reached the logger. */
  terminate(): void;
  /** The logger was continued (SIGCONT): it may have been stopped. */
  continued(): void;
  /** The logger process is gone: stop at once (nothing more is reported to it). */
  abort(): void;
  /** Another host asked for the logger: finish the line in hand, then send the stub to `host` (moveTo); an engine without it is not handed back. */
  handBack?(host: number): void;
}

/** Makes an engine for a logger process, or returns null to let the stub run on its own. */
export type LoggerFactory = (proc: LoggerProcess) => HostedLogger | null;

/** open(2)'s access mode bits (Linux, where the host runs). */
const O_ACCMODE = 3;
/** /proc/PID/stat's start time (clock ticks since boot): with the pid, one process for good. */
const START_TIME = 22;

/** Who a host takes in besides what it checks of every stub, and where it listens. */
export interface HostOptions {
  /** Whether the connecting process `pid` may be hosted; by default our own child, or one asked back (rehost.ts). */
  admit?(pid: number): boolean;
  /** A listening socket to take over (the orphan host's: svscan's own, orphans.ts) instead of our own name. */
  listenFd?: number;
  /** A stub is hosted as `logger`; the function returned is called once it is no longer. */
  onHosted?(pid: number, logger: HostedLogger): () => void;
}

const ourChild = (pid: number): boolean => {
  const ppid = parentPid(pid);
  return ppid !== null && (ppid === process.pid || takeWelcome(pid));
};

/** Listens for logger stubs among our own children. Linux only; elsewhere returns null. */
export function startLogHost(n: NativeBinding, factory: LoggerFactory, options: HostOptions = {}): Server | null {
  if (!linuxBranches()) return null;
  const server = createServer((socket) => accept(n, socket, factory, options));
  server.on('error', () => server.close());
  server.listen(options.listenFd === undefined ? hostSocket(process.pid) : { fd: options.listenFd });
  server.unref();
  return server;
}

/** The listening socket's descriptor (svscan hands a copy to its keeper, keeper.ts); -1 if none. */
export const listeningFd = (server: Server): number => (server as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;

/**
 * Our own open of the stub's stdin pipe (through /proc: its O_NONBLOCK is ours alone, the stub's
 * stays as it was), once the kernel shows the stub itself holds that pipe open for reading.
 */
function openInput(n: NativeBinding, pid: number, pidfd: number): number {
  const input = openSync(`/proc/${pid}/fd/0`, fsc.O_RDONLY | fsc.O_NONBLOCK);
  let theirs = -1;
  try {
    theirs = n.pidfdGetfd(pidfd, 0);
    const [ours, its] = [fstatSync(input), fstatSync(theirs)];
    const mode = n.fcntl(theirs, n.constants.F_GETFL) & O_ACCMODE;
    if (!ours.isFIFO() || ours.dev !== its.dev || ours.ino !== its.ino || mode === fsc.O_WRONLY) throw new Error('stdin is not a pipe it reads');
    return input;
  } catch (err) {
    closeSync(input);
    throw err;
  } finally {
    if (theirs >= 0) n.close(theirs);
  }
}

/**
 * Our copies of the stub's ledger and bin (native/stub.c), named in its record by number (` p=FD
 * d=R:W`) and checked against its process: the ledger a memfd of that name, the bin the two ends
 * of one pipe other than stdin, each close-on-exec there as the stub makes them. Null when the
 * record names none; throws when the ones it names are not that.
 */
function stubOwn(n: NativeBinding, pid: number, pidfd: number, state: ProcState, record: string, input: number): StubOwn | null {
  const ledgerFd = recordField(record, FIELD.ledger);
  const binFds = descriptorPair(recordField(record, FIELD.bin));
  if (ledgerFd === undefined && !binFds) return null;
  if (ledgerFd === undefined || !/^[0-9]+$/.test(ledgerFd) || !binFds) throw new Error('bad ledger fields');
  const numbers = [Number(ledgerFd), ...binFds];
  for (const fd of numbers) if (!state.fds.some((f) => f.fd === fd && f.cloexec)) throw new Error('not a descriptor of its own');
  const copies: number[] = [];
  try {
    for (const fd of numbers) copies.push(n.pidfdGetfd(pidfd, fd));
    const [ledger, binRead, binWrite] = copies as [number, number, number];
    const mode = (fd: number): number => n.fcntl(fd, n.constants.F_GETFL) & O_ACCMODE;
    const [l, r, w, i] = [ledger, binRead, binWrite, input].map((fd) => fstatSync(fd));
    const memfd = readlinkSync(`/proc/${pid}/fd/${numbers[0]}`).startsWith(`/memfd:${LEDGER_NAME}`);
    const pipe = r!.isFIFO() && w!.isFIFO() && r!.ino === w!.ino && r!.dev === w!.dev && r!.ino !== i!.ino;
    if (!memfd || !l!.isFile() || mode(ledger) !== fsc.O_RDWR || !pipe || mode(binRead) !== fsc.O_RDONLY || mode(binWrite) !== fsc.O_WRONLY) {
      throw new Error('not a ledger and a bin');
    }
    return { fds: numbers as [number, number, number], ledger: [l!.dev, l!.ino], bin: [r!.dev, r!.ino] };
  } finally {
    for (const fd of copies) n.close(fd);
  }
}

/** The stub's ledger and bin: their numbers there, and the files they were found to be. */
interface StubOwn {
  readonly fds: readonly [ledger: number, binRead: number, binWrite: number];
  readonly ledger: readonly [dev: number, ino: number];
  readonly bin: readonly [dev: number, ino: number];
}

/**
 * The ledger and bin copied from the stub for each chunk (three descriptors less per hosted logger
 * while it waits), each copy checked to be the very file found at the start (numbers are the
 * stub's to reuse) and with the access mode it had then; null when they cannot be had.
 */
function keepingOf(n: NativeBinding, withPidfd: <T>(use: (pidfd: number) => T) => T | null, own: StubOwn): Keeping {
  const modes = [fsc.O_RDWR, fsc.O_RDONLY, fsc.O_WRONLY];
  const giveBack = (kept: Kept): void => {
    for (const fd of [kept.ledger, ...kept.bin]) n.close(fd);
  };
  return {
    lend: () => withPidfd((from) => lendFrom(from)),
    giveBack,
  };
  function lendFrom(from: number): Kept | null {
    const copies: number[] = [];
    try {
      for (const fd of own.fds) copies.push(n.pidfdGetfd(from, fd));
      const ok = copies.every((fd, i) => {
        const st = fstatSync(fd);
        const [dev, ino] = i === 0 ? own.ledger : own.bin;
        return st.dev === dev && st.ino === ino && (n.fcntl(fd, n.constants.F_GETFL) & O_ACCMODE) === modes[i];
      });
      if (ok) return { ledger: copies[0]!, bin: [copies[1]!, copies[2]!] };
    } catch {
      // gone, or no descriptor left
    }
    for (const fd of copies) n.close(fd);
    return null;
  }
}

let sharedStderr: SharedCopies | undefined;
const stderrCopies = (n: NativeBinding): SharedCopies =>
  (sharedStderr ??= new SharedCopies({
    sameFile: (a, b) => n.sameFile(a, b),
    identity: (fd) => {
      const st = fstatSync(fd);
      return `${st.dev}:${st.ino}`;
    },
    close: (fd) => n.close(fd),
  }));

function accept(n: NativeBinding, socket: Socket, factory: LoggerFactory, options: HostOptions): void {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  let pid: number;
  let pidfd = -1;
  try {
    pid = n.getpeercred(fd).pid;
    // Held from now on: what is read of `pid` in /proc is this process's as long as a call on
    // the pidfd afterwards finds it alive.
    pidfd = n.pidfdOpen(pid);
    // Only a child of ours (a process one of our supervisors started) is hosted, or a logger
    // one of them adopted and asked back (rehost.ts); an orphan host says whom it takes in.
    if (!(options.admit ?? ourChild)(pid)) throw new Error('not our child');
  } catch {
    if (pidfd >= 0) n.close(pidfd);
    socket.destroy();
    return;
  }
  let header = '';
  const onHeader = (data: Buffer): void => {
    header += data.toString('latin1');
    const nl = header.indexOf(String.fromCharCode(RECORD_END));
    if (nl < 0) {
      if (header.length > MAX_RECORD) socket.destroy();
      return;
    }
    socket.off('data', onHeader);
    socket.off('close', onEarlyClose);
    const rest = Buffer.from(header.slice(nl + 1), 'latin1');
    start(n, socket, pid, pidfd, header.slice(0, nl), factory, rest, options);
  };
  const onEarlyClose = (): void => void n.close(pidfd);
  socket.on('data', onHeader);
  socket.on('close', onEarlyClose);
  socket.on('error', () => socket.destroy());
}

function start(
  n: NativeBinding,
  socket: Socket,
  pid: number,
  pidfd: number,
  record: string,
  factory: LoggerFactory,
  early: Buffer,
  options: HostOptions,
): void {
  const fallback = (): void => void socket.end(refuseMessage());
  let identity: Identity;
  let state: ProcState;
  let started: string | undefined;
  let input = -1;
  let stderr = -1;
  let own: StubOwn | null = null;
  try {
    // Who it is and what it has, from the kernel. Its record must say the same, or it is not a
    // stub of ours (any child of ours can connect and send one): it then runs on its own.
    started = procStat(pid)?.(START_TIME);
    identity = readIdentity(pid);
    state = readProcState(pid, n.constants);
    if (recordMismatch(record, state, n.constants.RLIM_INFINITY) !== null) throw new Error('record does not hold');
    input = openInput(n, pid, pidfd);
    try {
      stderr = n.pidfdGetfd(pidfd, 2);
    } catch {
      stderr = -1;
    }
    own = stubOwn(n, pid, pidfd, state, record, input);
  } catch {
    for (const fd of [input, stderr, pidfd]) if (fd >= 0) n.close(fd);
    fallback();
    return;
  }
  // One copy of a stderr many stubs share (usually svscan's own): a descriptor less per logger.
  if (stderr >= 0) stderr = stderrCopies(n).take(stderr);
  // The pidfd is opened again when needed, not held (a descriptor less per logger while it waits):
  // a fresh one is this process as long as /proc still shows the start time seen here after it.
  let held = pidfd;
  if (started !== undefined) {
    n.close(pidfd);
    held = -1;
  }
  let gone = false;
  const withPidfd = <T>(use: (pidfd: number) => T): T | null => {
    if (gone) return null;
    if (held >= 0) return use(held);
    let fresh: number;
    try {
      fresh = n.pidfdOpen(pid);
    } catch {
      return null; // gone, or no descriptor left
    }
    try {
      return procStat(pid)?.(START_TIME) === started ? use(fresh) : null;
    } finally {
      n.close(fresh);
    }
  };
  let done = false;
  const closeAll = (): void => {
    for (const fd of [input, held]) {
      try {
        if (fd >= 0) closeSync(fd);
      } catch {
        // already closed by the engine's end
      }
    }
    try {
      if (stderr >= 0) stderrCopies(n).release(stderr);
    } catch {
      // a failed close: the copy is gone either way, and the stub must still get its exit code
    }
    input = -1;
    stderr = -1;
    held = -1;
    gone = true;
  };
  const proc: LoggerProcess = {
    identity,
    currentState() {
      try {
        const now = readProcState(pid, n.constants);
        // Read after, so a pid used again by another process since cannot pass for it.
        if (started !== undefined && procStat(pid)?.(START_TIME) === started) return now;
      } catch {
        // gone
      }
      return state;
    },
    copyFd(fd) {
      try {
        return withPidfd((from) => n.pidfdGetfd(from, fd)) ?? -1;
      } catch {
        return -1; // not open there (any more), or the process is gone
      }
    },
    stdin: input,
    stderr,
    keeping: own === null ? null : keepingOf(n, withPidfd, own),
    exit(code) {
      closeAll();
      if (done) return;
      done = true;
      socket.end(exitMessage(code));
    },
    moveTo(host) {
      closeAll();
      if (done) return;
      done = true;
      socket.end(moveMessage(host));
    },
    resumed: recordField(record, FIELD.hostless) === FLAG_SET,
  };
  const logger = factory(proc);
  if (!logger) {
    closeAll();
    fallback();
    return;
  }
  const onSignals = (data: Buffer): void => {
    for (const byte of data) {
      if (byte === STUB.alarm) logger.alarm();
      else if (byte === STUB.term) logger.terminate();
      else if (byte === STUB.continued) logger.continued();
    }
  };
  if (early.length) onSignals(early);
  socket.on('data', onSignals);
  const unhosted = options.onHosted?.(pid, logger);
  socket.on('close', () => {
    unhosted?.();
    if (done) return;
    done = true;
    logger.abort();
  });
}
