// Temporary directories, and the one cleanup that ends every started process and removes them,
// whether the run finishes, fails, or is interrupted.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll } from './procs.mjs';

const dirs = new Set();
/** Every directory tempDir() made, kept after it is removed: a process left working in one is still ours. */
const made = new Set();
/** The supervision trees started in each directory: their root's pid and start time (treeStarted). */
const roots = new Map();

/** A fresh directory under the system temp dir, removed by cleanup(). */
export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `dt-bench-${label}-`));
  dirs.add(dir);
  made.add(dir);
  return dir;
}

function read(file, encoding) {
  try {
    return readFileSync(file, encoding);
  } catch {
    return null;
  }
}

/** /proc/PID/stat's state, process group and start time (clock ticks since boot); null when gone. */
function procStat(pid) {
  const stat = read(`/proc/${pid}/stat`, 'latin1');
  if (stat === null) return null;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], pgid: Number(f[2]), start: Number(f[19]) };
}

/**
 * Records the root of a supervision tree started in `dir` (a scanner started in a session of its
 * own, so its pid is its process group): cleanup(dir) kills that group, services included.
 */
export function treeStarted(dir, pid) {
  const stat = procStat(pid);
  if (!roots.has(dir)) roots.set(dir, []);
  roots.get(dir).push({ pid, start: stat?.start ?? null });
}

const inside = (path, under) => under.some((d) => path === d || path.startsWith(`${d}/`));

/** The pid in a supervise/status file: daemontools' 18 bytes and runit's 20 (u32 LE at 12), s6's 35 or 43 (u64 BE at 24). */
function statusPid(bytes) {
  if (bytes.length === 18 || bytes.length === 20) return bytes.readUInt32LE(12);
  if (bytes.length === 35 || bytes.length === 43) return Number(bytes.readBigUInt64BE(24));
  return 0;
}

/** /proc's clock ticks per second (USER_HZ, 100 wherever Linux runs). */
const TICKS = 100;

/**
 * The pids the supervise/status files under `under` name (a service, a logger, as its supervisor
 * last recorded it), each only if that process was already running when its status was last
 * written and started after this run did: a pid used again since is someone else's.
 */
function recordedPids(under, since) {
  const out = [];
  const uptime = Number(read('/proc/uptime', 'latin1')?.split(' ')[0] ?? NaN);
  const walk = (dir, depth) => {
    let names;
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of names) {
      if (!entry.isDirectory() || entry.isSymbolicLink()) continue;
      const path = join(dir, entry.name);
      if (entry.name === 'supervise') {
        const file = join(path, 'status');
        const bytes = read(file);
        const pid = bytes === null ? 0 : statusPid(bytes);
        if (pid <= 1) continue;
        const stat = procStat(pid);
        let written;
        try {
          written = statSync(file).mtimeMs;
        } catch {
          continue;
        }
        // The status file's time as clock ticks since boot, a tick of slack.
        const writtenTicks = (uptime - (Date.now() - written) / 1000) * TICKS + 1;
        if (stat && stat.start >= since && stat.start <= writtenTicks) out.push(pid);
      } else if (depth < 4 && entry.name !== 'main') walk(path, depth + 1);
    }
  };
  for (const dir of under) walk(dir, 0);
  return out;
}

/** SIGKILL to a pid or (negative) a process group; false when there was none. */
function kill(target) {
  try {
    process.kill(target, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills every process of the supervision trees under `under` (directories this run made): the
 * recorded roots' process groups, each process working in one of them (a scanner, a supervisor,
 * a service, a logger: /proc/PID/cwd) with the process group it leads, and the pids their
 * supervise/status files record (a service in a session of its own, s6's). Neither names nor the
 * run's tag are needed: a service that dropped its environment or left its group goes too.
 */
export function stopTrees(under) {
  const self = procStat(process.pid);
  const since = self?.start ?? 0;
  for (let pass = 0; pass < 10; pass++) {
    let hit = 0;
    for (const dir of under) {
      for (const root of roots.get(dir) ?? []) {
        const now = procStat(root.pid);
        // Gone: the pid cannot be anyone's group while members of ours hold it; the same start: ours.
        // (Not counted as a hit: a zombie root, not yet reaped, would keep its group answering.)
        if (now === null || now.start === root.start) kill(-root.pid);
      }
    }
    const found = new Set();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      if (pid === process.pid) continue;
      let cwd;
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, '');
      } catch {
        continue;
      }
      if (inside(cwd, under)) found.add(pid);
    }
    for (const pid of recordedPids(under.filter((d) => dirs.has(d)), since)) found.add(pid);
    for (const pid of found) {
      const stat = procStat(pid);
      if (stat === null || stat.state === 'Z') continue;
      if (stat.pgid === pid && pid !== self?.pgid) kill(-pid);
      if (kill(pid)) hit++;
    }
    if (hit === 0) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** Ends every process this run started (the trees under `dir`, or under every temp dir, then every tagged one); removes `dir` (or every temp dir). */
export function cleanup(dir) {
  stopTrees(dir ? [dir] : [...made]);
  killAll();
  for (const d of dir ? [dir] : [...dirs]) {
    try {
      rmSync(d, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A file still held open by a dying process; the next cleanup retries.
    }
    dirs.delete(d);
  }
}

let installed = false;

/** Cleans up on exit, on SIGINT/SIGTERM/SIGHUP, and on an uncaught error. */
export function installCleanup() {
  if (installed) return;
  installed = true;
  process.on('exit', () => cleanup());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping every process started\n`);
      cleanup();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    cleanup();
    process.exit(1);
  });
}
