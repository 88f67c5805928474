// What a readiness dialect adds to ./run's execution state, and nothing else: s6's pipe on
// descriptor N, sd_notify's NOTIFY_SOCKET (and WATCHDOG_USEC), Node's IPC channel on a free
// descriptor with NODE_CHANNEL_FD. Without a dialect the result is empty, so the run script
// sees exactly what a C supervise gives it.
import type { FdOp } from '../../../native/index.js';
import type { ExtensionConfig } from './files.js';

/** What the supervisor made for this start (only the dialect's own one is used). */
export interface ReadinessHandles {
  /** s6: the write end of the notification pipe, as open in the supervisor (close-on-exec). */
  readonly pipeWrite?: number;
  /** sd-notify: the socket's address, `@name` (abstract) or a path. */
  readonly socketAddress?: string;
  /** ipc: the child's end of the socketpair, as open in the supervisor (close-on-exec). */
  readonly ipcFd?: number;
}

export interface ReadinessExec {
  /** Descriptor operations to append to the plan's own (after the inherited ones are placed). */
  readonly fds: readonly FdOp[];
  /** NAME=value entries that replace any of the same name in ./run's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** ipc: the descriptor the channel gets in ./run. */
  readonly ipcChildFd?: number;
}

export const NO_READINESS_EXEC: ReadinessExec = { fds: [], env: {} };

/** The lowest descriptor ≥ 3 that ./run does not inherit. */
export function freeFd(inherited: readonly number[]): number {
  const taken = new Set(inherited);
  let fd = 3;
  while (taken.has(fd)) fd++;
  return fd;
}

/**
 * The additions for `config`'s dialect. `inherited`: the descriptors ./run gets open from the
 * recorded state (the IPC channel goes on the lowest other one).
 * @throws Error when the dialect's handle is missing (a supervisor bug, not bad input).
 */
export function readinessExec(config: Pick<ExtensionConfig, 'readiness' | 'watchdogMs'>, handles: ReadinessHandles, inherited: readonly number[]): ReadinessExec {
  const r = config.readiness;
  if (r === null) return NO_READINESS_EXEC;
  switch (r.dialect) {
    case 's6': {
      if (handles.pipeWrite === undefined) throw new Error('s6 readiness: no notification pipe');
      // dup2 onto the same number is a no-op that would leave close-on-exec set.
      const op: FdOp = handles.pipeWrite === r.fd ? ['cloexec', r.fd, false] : ['dup2', handles.pipeWrite, r.fd];
      return { fds: [op], env: {} };
    }
    case 'sd-notify': {
      if (handles.socketAddress === undefined) throw new Error('sd-notify readiness: no socket');
      const env: Record<string, string> = { NOTIFY_SOCKET: handles.socketAddress };
      if (config.watchdogMs !== null) env.WATCHDOG_USEC = String(config.watchdogMs * 1000);
      return { fds: [], env };
    }
    case 'ipc': {
      if (handles.ipcFd === undefined) throw new Error('ipc readiness: no channel');
      const fd = freeFd(inherited);
      const op: FdOp = handles.ipcFd === fd ? ['cloexec', fd, false] : ['dup2', handles.ipcFd, fd];
      return { fds: [op], env: { NODE_CHANNEL_FD: String(fd), NODE_CHANNEL_SERIALIZATION_MODE: 'json' }, ipcChildFd: fd };
    }
  }
}

/** `env` (NAME=value byte strings) with `set` replacing entries of the same names, order kept, new ones last. */
export function withEnv(env: readonly Buffer[], set: Readonly<Record<string, string>>): Buffer[] {
  const names = Object.keys(set);
  if (names.length === 0) return [...env];
  const out = env.filter((e) => {
    const eq = e.indexOf(0x3d);
    const name = (eq < 0 ? e : e.subarray(0, eq)).toString('latin1');
    return !names.includes(name);
  });
  for (const n of names) out.push(Buffer.from(`${n}=${set[n]}`, 'utf8'));
  return out;
}

/** The ready message of the pm2 convention: `process.send('ready')`. */
export function isIpcReady(message: unknown): boolean {
  return message === 'ready';
}

/** s6: a chunk read from the notification pipe means ready when it holds a newline. */
export function isS6Ready(chunk: Uint8Array): boolean {
  return chunk.includes(0x0a);
}

/**
 * The supervisor's end of a Node IPC channel (serialization 'json'): each message is one line of
 * JSON. Feed it what the socket gives; it returns whether a `'ready'` came. Lines that are not
 * JSON, Node's internal `{cmd: 'NODE_…'}` messages and everything else are dropped; a line longer
 * than `max` bytes is discarded unread, so a chatty service never makes the supervisor grow.
 */
export class IpcReader {
  private pending = '';
  private skipping = false;

  constructor(private readonly max = 65536) {}

  feed(chunk: Buffer | string): boolean {
    let text = this.pending + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    let ready = false;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      try {
        if (isIpcReady(JSON.parse(line))) ready = true;
      } catch {
        // Not a message of ours.
      }
    }
    if (text.length > this.max) {
      this.skipping = true;
      text = '';
    }
    this.pending = text;
    return ready;
  }
}
