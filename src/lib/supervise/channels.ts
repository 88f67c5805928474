// The readiness dialects' descriptors (issue 13), as the supervisor hands them to ./run and listens
// on its own ends: s6's pipe on descriptor N, a Node IPC channel (NODE_CHANNEL_FD, as
// child_process.fork gives one), and the sd_notify datagram socket (NOTIFY_SOCKET). What ./run
// gets is ext/exec.ts's; what they carry becomes a Notice for the machine; nothing is decided here.
import { readSync, statSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { native, type FdOp, type FdWatch } from '../../native/index.js';
import { linuxBranches } from '../../native/platform.js';
import { IpcReader, isS6Ready, readinessExec } from './ext/exec.js';
import type { ExtensionConfig } from './ext/files.js';
import { NOTIFY_DATAGRAM_MAX, parseNotify } from './ext/sd-notify.js';
import type { Notice } from './machine.js';

export type OnNotice = (notice: Notice) => void;

/** One run's end of a dialect: what ./run gets, and ours once it runs. */
export interface Channel {
  /** Descriptor operations appended to ./run's plan. */
  readonly fds: readonly FdOp[];
  /** Environment entries ./run gets, replacing any of the same names. */
  readonly env: Readonly<Record<string, string>>;
  /** ./run is forked: the child's end is closed here and ours listened to. */
  started(onNotice: OnNotice): void;
  close(): void;
}

type Dialects = Pick<ExtensionConfig, 'readiness' | 'watchdogMs'>;

const readBuf = Buffer.alloc(512);

/**
 * s6's notification-fd: the write end of a pipe on descriptor `fd` in ./run (nothing else
 * changes); the first newline means ready, then our end is closed; end of file first: never ready.
 */
export function s6Channel(config: Dialects): Channel {
  const n = native();
  const [readEnd, writeEnd] = n.pipe();
  const exec = readinessExec(config, { pipeWrite: writeEnd }, []);
  let watch: FdWatch | undefined;
  let open = true;
  const close = (): void => {
    watch?.close();
    watch = undefined;
    if (open) n.close(readEnd);
    open = false;
  };
  return {
    fds: exec.fds,
    env: exec.env,
    started(onNotice) {
      n.close(writeEnd);
      n.fcntl(readEnd, n.constants.F_SETFL, n.fcntl(readEnd, n.constants.F_GETFL) | n.constants.O_NONBLOCK);
      watch = n.watchReadable(readEnd, () => {
        for (;;) {
          let got: number;
          try {
            got = readSync(readEnd, readBuf, 0, readBuf.length, null);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return;
            got = 0;
          }
          if (got === 0) return close();
          if (isS6Ready(readBuf.subarray(0, got))) {
            close();
            return onNotice({ ready: true });
          }
        }
      });
    },
    close() {
      if (watch === undefined && open) n.close(writeEnd);
      close();
    },
  };
}

/**
 * A Node IPC channel (json serialization): one end of a socketpair on the lowest descriptor ./run
 * does not inherit (`inherited`), named by NODE_CHANNEL_FD. A message 'ready'
 * (process.send('ready'), pm2's) means ready; the rest is read and dropped, so the service never
 * waits on us.
 */
export function ipcChannel(config: Dialects, inherited: readonly number[]): Channel {
  const n = native();
  const [ours, theirs] = n.socketpair();
  const exec = readinessExec(config, { ipcFd: theirs }, inherited);
  let socket: Socket | undefined;
  let theirsOpen = true;
  return {
    fds: exec.fds,
    env: exec.env,
    started(onNotice) {
      n.close(theirs);
      theirsOpen = false;
      const reader = new IpcReader();
      socket = new Socket({ fd: ours, readable: true, writable: true });
      socket.on('data', (chunk: Buffer) => {
        if (reader.feed(chunk)) onNotice({ ready: true });
      });
      socket.on('error', () => socket?.destroy());
      socket.on('end', () => socket?.destroy());
    },
    close() {
      if (theirsOpen) n.close(theirs);
      theirsOpen = false;
      if (socket) socket.destroy();
      else n.close(ours);
      socket = undefined;
    },
  };
}

/**
 * The sd_notify socket of one service, for all its runs: an abstract address on Linux named
 * after the service directory's device and inode (so a supervisor that takes over after a crash
 * binds the name an adopted service still sends to; only the lock's holder binds it), else a path
 * in supervise/. Datagrams from senders of our uid or root count (a child of the service, such
 * as systemd-notify run by ./run, sends them); others and garbage are dropped.
 */
export class NotifySocket {
  readonly fd: number;
  /** NOTIFY_SOCKET's value. */
  readonly address: string;
  private watch: FdWatch | undefined;
  private readonly path: string | null;

  constructor(dir: string) {
    const n = native();
    if (linuxBranches()) {
      const st = statSync(dir, { bigint: true });
      this.address = `@daemontools/notify/${st.dev.toString(16)}:${st.ino.toString(16)}`;
      this.path = null;
      this.fd = n.bindDgram(Buffer.from(`\0${this.address.slice(1)}`));
    } else {
      this.path = resolve(dir, 'supervise/notify');
      this.address = this.path;
      try {
        unlinkSync(this.path);
      } catch {
        // Not there.
      }
      this.fd = n.bindDgram(Buffer.from(this.path));
    }
  }

  listen(onNotice: OnNotice): void {
    const n = native();
    const buf = Buffer.alloc(NOTIFY_DATAGRAM_MAX + 1);
    const uid = process.geteuid?.() ?? 0;
    this.watch = n.watchReadable(this.fd, () => {
      for (let got = n.recvCred(this.fd, buf); got !== null; got = n.recvCred(this.fd, buf)) {
        // -1: this system's kernel gives no credentials; the socket's place (supervise/) guards it.
        if (got.uid !== uid && got.uid !== 0 && got.uid !== -1) continue;
        const parsed = parseNotify(buf.subarray(0, got.length), got.truncated);
        if (!parsed.ok) continue;
        const m = parsed.message;
        const notice: { -readonly [K in keyof Notice]: Notice[K] } = {};
        if (m.ready) notice.ready = true;
        else if (m.reloading || m.stopping) notice.ready = false;
        if (m.status !== undefined) notice.status = m.status;
        if (m.mainPid !== undefined) notice.mainPid = m.mainPid;
        if (m.errno !== undefined) notice.errno = m.errno;
        if (m.watchdog !== undefined) notice.watchdog = m.watchdog;
        if (Object.keys(notice).length > 0) onNotice(notice);
      }
    });
  }

  close(): void {
    this.watch?.close();
    this.watch = undefined;
    native().close(this.fd);
    if (this.path !== null) {
      try {
        unlinkSync(this.path);
      } catch {
        // Gone.
      }
    }
  }
}
