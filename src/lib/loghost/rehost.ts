// Taking a logger back into the host after svscan's death. A logger stub whose host died runs on
// as an ordinary Node multilog (same pid, same descriptors), and its record says so (" s=1").
// It then listens at the abstract socket daemontools-logger/<its pid>. The next svscan, adopting
// that pid, connects and sends 'H'; the logger finishes the line in hand, closes its directories
// as at a clean exit (C's next start goes on appending to a complete `current`), and execs the
// launcher again with DAEMONTOOLS_REHOST=<host pid> and its recorded process state: the same
// pid becomes a stub once more, with its engine in the new host, reading the rest of the pipe.
import { closeSync, readFileSync, readlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, type NativeBinding } from '../../native/index.js';
import { linuxBranches } from '../../native/platform.js';
import { toBytes } from '../exec/bytes.js';
import { FIELD, recordField } from '../exec/captured.js';
import { ExecContext } from '../exec/context.js';
import { launcherPath } from '../../native/launcher.js';
import { grownPast, settleInput } from '../multilog/settle-input.js';
import { HAND_BACK, loggerSocket, REHOST_LETTER, REHOST_VAR, rehostValue } from './protocol.js';

export { loggerSocket, REHOST_VAR } from './protocol.js';

/** Pids the host asked to come back: they are welcome though they are not its children. */
const welcomed = new Set<number>();

/** Whether `pid` was asked back by this host (the answer holds once). */
export function takeWelcome(pid: number): boolean {
  return welcomed.delete(pid);
}

/** What an adopted process is: our Node multilog, a multilog stub (on its way to becoming one), else. */
function kindOf(pid: number): 'node' | 'stub' | 'other' {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    if (readlinkSync(`/proc/${pid}/exe`) === readlinkSync('/proc/self/exe')) return argv.includes('multilog') ? 'node' : 'other';
    return /(^|\/)multilog$/.test(argv[0] ?? '') ? 'stub' : 'other';
  } catch {
    return 'other';
  }
}

/**
 * A logger caught between its dead host and its next one (an orphan host, orphans.ts, or its own
 * Node start) gets this long to be ready: the orphan host is a Node start under whatever load
 * svscan's death came with.
 */
const ASK_TRIES = 200;
const ASK_PAUSE_MS = 50;

/**
 * Host side: asks an adopted logger to come back into this host, if it is one that can: our Node
 * multilog, or a stub an orphan host holds (which answers for it at the same socket). An adopted
 * stub may be one whose host just died, on its way to an orphan host or to becoming a Node
 * multilog, which listen once started; so it is asked again, a few times, until it answers or runs
 * as neither.
 */
export function askBack(pid: number, tries = ASK_TRIES): void {
  if (!linuxBranches()) return;
  if (kindOf(pid) === 'other') return;
  const again = (): void => {
    welcomed.delete(pid);
    if (tries > 1) setTimeout(() => askBack(pid, tries - 1), ASK_PAUSE_MS).unref();
  };
  welcomed.add(pid);
  const socket = createConnection(loggerSocket(pid), () => socket.end(Buffer.from([HAND_BACK])));
  socket.on('error', () => {
    socket.destroy();
    again();
  });
  socket.unref();
}

/**
 * Logger side, a stub whose host died: settles stdin by the ledger and bin the stub handed on
 * (native/stub.c names them in the record, ` p=FD d=R:W`: src/lib/multilog/settle-input.ts) and
 * returns the bytes of a line's head the host had read and not written, to be taken in before the
 * rest of stdin. The ledger and bin are closed here.
 */
export function settleOwnInput(n: NativeBinding, record: string | undefined): Buffer {
  const ledger = recordField(record, FIELD.ledger);
  const bin = /^([0-9]+):([0-9]+)$/.exec(recordField(record, FIELD.bin) ?? '');
  if (ledger === undefined || !/^[0-9]+$/.test(ledger) || !bin) return Buffer.alloc(0);
  const fds = [Number(ledger), Number(bin[1]), Number(bin[2])] as const;
  try {
    // Our own files: `current` paths are as our cwd sees them.
    return settleInput(n, 0, { ledger: fds[0], bin: [fds[1], fds[2]] }, (f) => grownPast(f.path, f.size));
  } catch {
    return Buffer.alloc(0);
  } finally {
    for (const fd of fds) {
      try {
        closeSync(fd);
      } catch {
        // not open after all
      }
    }
  }
}

/**
 * Logger side: listens for a host that adopted us (the logger `pid`, by default ourselves; an
 * orphan host listens for each stub it holds); `onAsked(hostPid)` is called once. Only a peer
 * running as root or as ourselves is heard. Does not keep the process alive.
 */
export function awaitHost(n: NativeBinding, onAsked: (host: number) => void, pid = process.pid): Server | null {
  if (!linuxBranches()) return null;
  let asked = false;
  const server = createServer((socket) => {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    let peer: { pid: number; uid: number };
    try {
      peer = n.getpeercred(fd);
    } catch {
      socket.destroy();
      return;
    }
    if (peer.uid !== 0 && peer.uid !== process.geteuid?.()) {
      socket.destroy();
      return;
    }
    socket.on('data', (data) => {
      if (asked || !data.includes(HAND_BACK)) return;
      asked = true;
      server.close();
      onAsked(peer.pid);
    });
    socket.on('error', () => socket.destroy());
  });
  server.on('error', () => server.close());
  server.listen(loggerSocket(pid));
  server.unref();
  return server;
}

/** The signals a multilog catches, with the letter the launcher knows each by in REHOST_VAR. */
const HELD = [
  ['SIGTERM', REHOST_LETTER.SIGTERM],
  ['SIGALRM', REHOST_LETTER.SIGALRM],
] as const;
const { signals } = constants;

/**
 * Logger side, before handOver: SIGTERM and SIGALRM are caught natively from now on and reach
 * the stub we become (pending through execve, then relayed to the host), so one that comes
 * during the hand-over is not lost. One Node itself caught before is delivered to our listeners
 * first: two turns of the loop take in its signal pipe.
 */
export async function holdSignals(n: NativeBinding): Promise<void> {
  for (const [name] of HELD) n.holdSignalForExec(signals[name]);
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Logger side, once the engine has ended cleanly and holdSignals has run: execs the launcher as
 * `multilog` (with `script`, byte strings) and our original process state, to become a stub of `host`. Returns only if that
 * exec failed (thrown).
 */
export function handOver(n: NativeBinding, host: number, script: readonly string[]): never {
  // bin/multilog, the launcher with its bin/.launch beside it (for the Node it starts, should the
  // new host go away too); else the built launcher.
  const files = [join(PACKAGE_ROOT, 'bin', 'multilog'), launcherPath()].filter((f): f is string => f !== null);
  const context = ExecContext.fromProcess(n);
  const plan = context.plan();
  const held = HELD.map(([name, letter]) => [signals[name], letter] as const);
  // Blocked for the hand-over only: the launcher's record is to say they were not.
  const letters = held.filter(([sig]) => !plan.mask.includes(sig)).map(([, letter]) => letter);
  const env = [...context.env.filter((e) => !e.startsWith(`${REHOST_VAR}=`)), `${REHOST_VAR}=${rehostValue(host, letters)}`];
  return n.execve(files, ['multilog', ...script.map(toBytes)], env, { ...plan, held: held.map(([sig]) => sig) });
}
