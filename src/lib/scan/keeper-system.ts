// The pipe keeper's system side (Linux): native/keeper.c started as `daemontools-keeper DIR SVSCAN-PID`
// with the read ends, and the keepers of earlier svscans of DIR found in /proc.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { native, PACKAGE_ROOT, type FdOp } from '../../native/index.js';
import { linuxBranches } from '../../native/platform.js';
import { errnoError, errnoName } from '../errors.js';
import { textBytes } from '../exec/bytes.js';
import { parentPid } from '../proc-stat.js';
import { nativeProgram } from '../../native/launcher.js';
import type { KeeperSystem } from './keeper.js';

const NAME = 'daemontools-keeper';
/** How long after the first scan the stale keepers are looked for: start-up is over by then. */
export const SWEEP_AFTER_MS = 1000;
/** Processes looked at per turn of the event loop (~30 µs each). */
const SWEEP_SLICE = 64;
/** The orphan host's entry (src/cli/orphan-host.ts). */
const ORPHAN_HOST = join(PACKAGE_ROOT, 'dist', 'cli', 'orphan-host.js');

/** The keeper's system for svscan in the current directory; null where there is none (not Linux, no launcher). */
export function systemKeeper(): KeeperSystem | null {
  if (!linuxBranches()) return null;
  const launcher = nativeProgram('dt-keeper');
  if (launcher === null) return null;
  const dir = process.cwd();
  const n = native();
  return {
    spawn(fds, host) {
      // Nothing but the read ends (and the host socket): not svscan's stdio either. svscan's
      // environment, as any process it starts carries (what finds a tree's processes by it finds
      // this one too).
      const held = host === null ? fds : [...fds, host];
      const ops: FdOp[] = [['close', 0], ['close', 1], ['close', 2], ...held.map((fd) => ['cloexec', fd, false] as const)];
      const args = [NAME, dir, String(process.pid)];
      // At svscan's death: node, with svscan's own Node flags, runs the orphan host on the socket.
      if (host !== null) args.push(String(host), process.execPath, process.execPath, ...process.execArgv, ORPHAN_HOST, dir, String(process.pid), String(host));
      const { pid, execErrno } = n.spawn(launcher, args, n.environ(), { ignore: [], mask: [], rlimits: [], fds: ops });
      // A child whose exec failed has exited 111; svscan's orphan reaper collects it.
      if (execErrno !== 0) throw errnoError(errnoName(execErrno), 'execve', launcher);
      return pid;
    },
    sweepStale(found) {
      const prefix = `${NAME}\0${textBytes(dir)}\0`;
      const uid = process.getuid?.();
      const program = basename(launcher);
      /** One process: one readlink picks out the keepers (a cmdline read of each costs far more). */
      const look = (entry: string): void => {
        if (!/^[0-9]+$/.test(entry)) return;
        try {
          if (basename(readlinkSync(`/proc/${entry}/exe`)).replace(/ \(deleted\)$/, '') !== program) return;
          const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
          if (!cmdline.startsWith(prefix) || statSync(`/proc/${entry}`).uid !== uid) return;
          const owner = Number(cmdline.slice(prefix.length).split('\0')[0]);
          const ppid = parentPid(Number(entry));
          // Its svscan died (it was handed to a reaper): a live svscan's keeper is its child.
          if (ppid !== null && ppid !== owner) found(Number(entry));
        } catch {
          // gone meanwhile
        }
      };
      // Once start-up is over (the first scan's services and loggers are taken in by then), and
      // SWEEP_SLICE processes a turn of the event loop: with thousands of processes on the host the
      // whole walk takes a good part of a second, which no logger or supervisor waits for.
      const start = setTimeout(() => {
        let entries: string[];
        try {
          entries = readdirSync('/proc');
        } catch {
          return;
        }
        let at = 0;
        const slice = (): void => {
          for (const end = Math.min(at + SWEEP_SLICE, entries.length); at < end; at++) look(entries[at]!);
          if (at < entries.length) setImmediate(slice);
        };
        slice();
      }, SWEEP_AFTER_MS);
      start.unref();
    },
    kill(pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    },
  };
}
