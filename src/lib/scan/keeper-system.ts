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
    stale() {
      const prefix = `${NAME}\0${textBytes(dir)}\0`;
      const uid = process.getuid?.();
      const out: number[] = [];
      // One readlink a process picks out the keepers (a busy host has thousands of processes; a
      // cmdline read of each held svscan's start up for a quarter of a second).
      const program = basename(launcher);
      for (const entry of readdirSync('/proc')) {
        if (!/^[0-9]+$/.test(entry)) continue;
        try {
          if (basename(readlinkSync(`/proc/${entry}/exe`)).replace(/ \(deleted\)$/, '') !== program) continue;
          const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
          if (!cmdline.startsWith(prefix) || statSync(`/proc/${entry}`).uid !== uid) continue;
          const owner = Number(cmdline.slice(prefix.length).split('\0')[0]);
          const ppid = parentPid(Number(entry));
          // Its svscan died (it was handed to a reaper): a live svscan's keeper is its child.
          if (ppid !== null && ppid !== owner) out.push(Number(entry));
        } catch {
          // gone meanwhile
        }
      }
      return out;
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
