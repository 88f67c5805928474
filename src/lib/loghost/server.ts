// The host side of the logger stub (native/launcher.c): a multilog started by one of our
// supervisors connects to daemontools-host/<our pid>, and its engine runs here, in svscan's
// event loop, on its stdin and stderr and as its identity. The stub keeps the process (pid for
// svc/svstat, signals, credentials, cwd); it relays SIGALRM ('A') and SIGTERM ('T'), says when it
// is continued after a stop ('C'), and exits with the code we send ('X', code). 'F' tells it to
// run as an ordinary multilog instead.
import { closeSync, constants as fsc, fstatSync, openSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { NativeBinding } from '../../native/binding.js';
import { linuxBranches } from '../../native/platform.js';
import { recordField } from '../exec/captured.js';
import { parentPid } from '../proc-stat.js';
import { readIdentity, type Identity } from './identity.js';
import { takeWelcome } from './rehost.js';

/** What a hosted engine needs from its process. */
export interface LoggerProcess {
  readonly identity: Identity;
  /** The stub's recorded exec state (for the processors it runs). */
  readonly record: string;
  /** Our own open of the stub's stdin pipe (a description of our own: its flags are ours). */
  readonly stdin: number;
  /** Our copy of the stub's stderr (the same open file description), or -1. */
  readonly stderr: number;
  /**
   * Our copy of the stub's ledger (8 bytes, or -1): the count of input bytes written out but not
   * yet taken out of the pipe. A stub whose host died drops that many before running alone.
   */
  readonly ledger: number;
  /** Our copies of the stub's bin pipe [read, write] (see launcher.c), or null. */
  readonly bin: readonly [number, number] | null;
  /** Ends the stub (and so the logger) with `code`; closes our copies of its descriptors. */
  exit(code: number): void;
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
}

/** Makes an engine for a logger process, or returns null to let the stub run on its own. */
export type LoggerFactory = (proc: LoggerProcess) => HostedLogger | null;

export const socketName = (pid: number): string => `\0daemontools-host/${pid}`;

/** Listens for logger stubs among our own children. Linux only; elsewhere returns null. */
export function startLogHost(n: NativeBinding, factory: LoggerFactory): Server | null {
  if (!linuxBranches()) return null;
  const server = createServer((socket) => accept(n, socket, factory));
  server.on('error', () => server.close());
  server.listen(socketName(process.pid));
  server.unref();
  return server;
}

function accept(n: NativeBinding, socket: Socket, factory: LoggerFactory): void {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  let pid: number;
  try {
    pid = n.getpeercred(fd).pid;
    // Only a child of ours (a process one of our supervisors started) is hosted, or a logger
    // one of them adopted and asked back (rehost.ts).
    const ppid = parentPid(pid);
    if (ppid === null || (ppid !== process.pid && !takeWelcome(pid))) throw new Error('not our child');
  } catch {
    socket.destroy();
    return;
  }
  let header = '';
  const onHeader = (data: Buffer): void => {
    header += data.toString('latin1');
    const nl = header.indexOf('\n');
    if (nl < 0) return;
    socket.off('data', onHeader);
    const rest = Buffer.from(header.slice(nl + 1), 'latin1');
    start(n, socket, pid, header.slice(0, nl), factory, rest);
  };
  socket.on('data', onHeader);
  socket.on('error', () => socket.destroy());
}

function start(n: NativeBinding, socket: Socket, pid: number, record: string, factory: LoggerFactory, early: Buffer): void {
  const fallback = (): void => void socket.end(Buffer.from('F\0', 'latin1'));
  let identity: Identity;
  let input: number;
  let stderr = -1;
  let ledger = -1;
  let binRead = -1;
  let binWrite = -1;
  let pidfd = -1;
  try {
    identity = readIdentity(pid);
    // Our own open of the stdin pipe: its O_NONBLOCK is ours alone, the stub's stays as it was.
    input = openSync(`/proc/${pid}/fd/0`, fsc.O_RDONLY | fsc.O_NONBLOCK);
    if (!fstatSync(input).isFIFO()) {
      closeSync(input);
      fallback();
      return;
    }
    pidfd = n.pidfdOpen(pid);
    try {
      stderr = n.pidfdGetfd(pidfd, 2);
    } catch {
      stderr = -1;
    }
    const ledgerFd = recordField(record, 'p');
    const binFds = /^([0-9]+):([0-9]+)$/.exec(recordField(record, 'd') ?? '');
    if (ledgerFd !== undefined && /^[0-9]+$/.test(ledgerFd) && binFds) {
      try {
        ledger = n.pidfdGetfd(pidfd, Number(ledgerFd));
        binRead = n.pidfdGetfd(pidfd, Number(binFds[1]));
        binWrite = n.pidfdGetfd(pidfd, Number(binFds[2]));
      } catch {
        for (const fd of [ledger, binRead, binWrite]) if (fd >= 0) n.close(fd);
        ledger = binRead = binWrite = -1;
      }
    }
  } catch {
    if (pidfd >= 0) n.close(pidfd);
    fallback();
    return;
  }
  n.close(pidfd);
  let done = false;
  const closeAll = (): void => {
    for (const fd of [input, stderr, ledger, binRead, binWrite]) {
      try {
        if (fd >= 0) closeSync(fd);
      } catch {
        // already closed by the engine's end
      }
    }
    input = -1;
    stderr = -1;
    ledger = -1;
    binRead = -1;
    binWrite = -1;
  };
  const proc: LoggerProcess = {
    identity,
    record,
    stdin: input,
    stderr,
    ledger,
    bin: ledger >= 0 ? [binRead, binWrite] : null,
    exit(code) {
      closeAll();
      if (done) return;
      done = true;
      socket.end(Buffer.from([0x58 /* X */, code & 0xff]));
    },
  };
  const logger = factory(proc);
  if (!logger) {
    closeAll();
    fallback();
    return;
  }
  const onSignals = (data: Buffer): void => {
    for (const byte of data) {
      if (byte === 0x41 /* A */) logger.alarm();
      else if (byte === 0x54 /* T */) logger.terminate();
      else if (byte === 0x43 /* C */) logger.continued();
    }
  };
  if (early.length) onSignals(early);
  socket.on('data', onSignals);
  socket.on('close', () => {
    if (done) return;
    done = true;
    logger.abort();
  });
}
