// Service directories and the supervision trees compared: ours, C daemontools, runit, s6 and pm2.
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_PATH, benchEnv, reasonOf, run, startDaemon, waitFor } from './procs.mjs';
import { tree, roleOf } from './proctree.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OURS_BIN = join(ROOT, 'bin');
export const PM2 = join(ROOT, 'bench', '.peers', 'node_modules', '.bin', 'pm2');
/** The node our launcher runs (bin/.launch), the baseline `node -e 0` uses the same. */
export const NODE = (() => {
  try {
    return readFileSync(join(OURS_BIN, '.launch'), 'utf8').trim() || process.execPath;
  } catch {
    return process.execPath;
  }
})();
export const SERVICE_RUN = '#!/bin/sh\nexec sleep 100000\n';

export const oursEnv = (extra) => benchEnv({ PATH: `${OURS_BIN}:${BASE_PATH}`, ...extra });

function script(file, body) {
  writeFileSync(file, body, { mode: 0o755 });
}

/** A service directory: ./run, and with `logger` a ./log/run that execs it into ./log/main. */
export function makeService(dir, { run: body = SERVICE_RUN, logger } = {}) {
  mkdirSync(dir, { recursive: true });
  script(join(dir, 'run'), body);
  if (logger) {
    mkdirSync(join(dir, 'log', 'main'), { recursive: true });
    script(join(dir, 'log', 'run'), `#!/bin/sh\nexec ${logger}\n`);
  }
}

/**
 * The supervision trees. `scanner` is the program given the scan directory; `logger` the log/run
 * command; `oursLogger` says whether our own multilog is used (else C's stands in for it).
 */
export function flavours(available) {
  const ourLogger = available.multilog ? `${OURS_BIN}/multilog t ./main` : '/usr/bin/multilog t ./main';
  return {
    ours: { scanner: `${OURS_BIN}/svscan`, logger: ourLogger, env: oursEnv(), ok: available.svscan, why: available.why.svscan },
    C: { scanner: '/usr/bin/svscan', logger: '/usr/bin/multilog t ./main', env: benchEnv() },
    runit: { scanner: '/usr/bin/runsvdir', logger: '/usr/bin/svlogd -t ./main', env: benchEnv() },
    // s6-svscan's default cap (-c 500 supervisors) would stop short of 1000 logged services.
    s6: { scanner: '/usr/bin/s6-svscan', args: ['-c', '4000'], logger: '/usr/bin/s6-log t ./main', env: benchEnv() },
    pm2: { pm2: true, env: benchEnv() },
  };
}

/** Why a flavour cannot run here, or null. */
export function missing(flavour) {
  if (flavour.ok === false) return flavour.why ?? 'not available';
  if (flavour.pm2) return existsSync(PM2) ? null : 'pm2 not installed (sh bench/install-peers.sh)';
  return existsSync(flavour.scanner) ? null : `${flavour.scanner} not installed (sh bench/install-peers.sh)`;
}

const STALL_MS = 20000;

/** Starts `count` logged sleep services under `flavour` in `base`; resolves {root} once all run. */
export async function startTree(flavour, base, count, { timeoutMs = 120000, logged = true } = {}) {
  if (flavour.pm2) return startPm2(base, count, timeoutMs);
  const scan = join(base, 'service');
  for (let i = 0; i < count; i++) makeService(join(scan, `s${i}`), { logger: logged ? flavour.logger : undefined });
  const log = join(base, 'scanner.log');
  const child = startDaemon(flavour.scanner, [...(flavour.args ?? []), scan], { cwd: base, env: flavour.env, logFile: log });
  const root = child.pid;
  let seen = -1;
  let progressAt = Date.now();
  const ready = await waitFor(
    () => {
      const procs = tree(root);
      if (procs.length === 0) return 'exited';
      const services = procs.filter((p) => roleOf(p) === 'service').length;
      const loggers = procs.filter((p) => roleOf(p) === 'logger').length;
      if (services + loggers > seen) [seen, progressAt] = [services + loggers, Date.now()];
      // No new process for a while: the tree is stuck (a cap, a failing logger), not slow.
      if (Date.now() - progressAt > STALL_MS) return 'stalled';
      return services === count && (!logged || loggers === count) && procs;
    },
    { timeoutMs, intervalMs: 200 },
  );
  if (ready === 'exited') throw new Error(logReason(log) ?? `${flavour.scanner} exited`);
  if (ready === 'stalled' || !ready) {
    throw new Error(`${seen} of ${logged ? 2 * count : count} services and loggers up${tail(log)}`);
  }
  return { root };
}

function logReason(file) {
  try {
    return reasonOf(readFileSync(file, 'utf8')) || null;
  } catch {
    return null;
  }
}

function tail(file) {
  try {
    return ` (${reasonOf(readFileSync(file, 'utf8'))})`;
  } catch {
    return '';
  }
}

async function startPm2(base, count, timeoutMs) {
  const home = join(base, 'pm2');
  mkdirSync(home, { recursive: true });
  const apps = Array.from({ length: count }, (_, i) => ({
    name: `s${i}`,
    script: '/bin/sleep',
    args: '100000',
    interpreter: 'none',
    autorestart: true,
  }));
  const eco = join(base, 'ecosystem.json');
  writeFileSync(eco, JSON.stringify({ apps }));
  const env = benchEnv({ PM2_HOME: home });
  const started = await run(PM2, ['start', eco], { cwd: base, env, timeoutMs });
  if (started.code !== 0) throw new Error(`pm2 start failed: ${started.stderr.trim().split('\n').at(-1)}`);
  const root = Number(readFileSync(join(home, 'pm2.pid'), 'utf8'));
  const ready = await waitFor(() => tree(root).filter((p) => roleOf(p) === 'service').length === count, { timeoutMs, intervalMs: 200 });
  if (!ready) throw new Error(`pm2: not all ${count} apps up`);
  return { root };
}

/** supervise/status of a service: {pid, want, paused}, or null when unreadable. */
export function readStatus(dir) {
  let buf;
  try {
    buf = readFileSync(join(dir, 'supervise', 'status'));
  } catch {
    return null;
  }
  if (buf.length < 18) return null;
  return { pid: buf.readUInt32LE(12), paused: buf[16] !== 0, want: String.fromCharCode(buf[17]) };
}

/** Writes command letters to supervise/control, as svc does; false when no supervise listens. */
export function control(dir, letters) {
  try {
    const fd = openSync(join(dir, 'supervise', 'control'), constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      writeSync(fd, letters);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch {
    return false;
  }
}

/** Starts one supervise (ours or C's) on `dir`; resolves once ./run is up. */
export async function startSupervise(which, dir, timeoutMs = 10000) {
  const file = which === 'ours' ? `${OURS_BIN}/supervise` : '/usr/bin/supervise';
  const env = which === 'ours' ? oursEnv() : benchEnv();
  const child = startDaemon(file, [dir], { env, logFile: `${dir}.log` });
  let exited = false;
  child.on('exit', () => (exited = true));
  const up = await waitFor(() => (exited ? 'exited' : (readStatus(dir)?.pid ?? 0) > 0), { timeoutMs });
  if (up === 'exited') throw new Error(logReason(`${dir}.log`) ?? `${which} supervise exited`);
  if (!up) throw new Error(`${which} supervise: ${dir} not up within ${timeoutMs / 1000} s${tail(`${dir}.log`)}`);
  return child;
}
