// Processes the benchmark starts, and how it always ends them: every process carries a run tag in
// its environment, so a sweep of /proc finds each one however it was reparented or setsid'ed.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const TAG_NAME = 'DT_BENCH_RUN';
export const TAG = `${process.pid}-${Date.now()}`;
export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The environment every started process gets: tagged, with the default rescan period. */
/** Variables of this shell that would change what is measured, left out of every program's
 * environment: with NODE_EXTRA_CA_CERTS set every Node start parses that bundle of certificates
 * (~5x `node -e 0` with Debian's), and our figures would read as a share of that. */
export const DROPPED_ENV = ['SVSCAN_RESCAN_SECONDS', 'NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];

export function benchEnv(extra = {}) {
  const env = { ...process.env, PATH: BASE_PATH, [TAG_NAME]: TAG, ...extra };
  for (const name of DROPPED_ENV) if (!(name in extra)) delete env[name];
  return env;
}

function readOr(file, fallback) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Pids of every process still carrying this run's tag (this process excluded). */
export function taggedPids() {
  const marker = `\0${TAG_NAME}=${TAG}\0`;
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = readOr(`/proc/${name}/environ`, '');
    if (`\0${environ}`.includes(marker)) found.push(Number(name));
  }
  return found;
}

/** SIGKILLs every tagged process until none is left (a supervisor may fork while we sweep). */
export function killAll() {
  for (let pass = 0; pass < 20; pass++) {
    const pids = taggedPids();
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/**
 * Starts a long-running process in its own session, stdout/stderr to `logFile` (or ignored).
 * Returns the ChildProcess; callers end it with killAll().
 */
export function startDaemon(file, args, { cwd, env, logFile, stdin = 'ignore' } = {}) {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const child = spawn(file, args, { cwd, env: env ?? benchEnv(), stdio: [stdin, out, out], detached: true });
  child.on('error', () => {});
  child.unref();
  return child;
}

/** Runs a program to completion with a time limit; resolves {code, signal, stdout, stderr, ms}. */
export function run(file, args, { cwd, env, timeoutMs = 30000, stdin = 'ignore', stdout = 'pipe' } = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    let child;
    try {
      child = spawn(file, args, { cwd, env: env ?? benchEnv(), stdio: [stdin, stdout, 'pipe'] });
    } catch (err) {
      resolve({ code: null, signal: null, stdout: '', stderr: String(err), ms: 0 });
      return;
    }
    const out = [];
    const err = [];
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => err.push(Buffer.from(String(e))));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms });
    });
  });
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then returns null). */
export async function waitFor(check, { timeoutMs = 10000, intervalMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) return null;
    await sleep(intervalMs);
  }
}

export { sleep };

/** A short reason from a program's error output: `not implemented`, else its first line. */
export function reasonOf(text, code) {
  const missingModule = text.match(/Cannot find module '\.\/([\w-]+)\.js'/);
  if (missingModule) return `not implemented (no dist/cli/${missingModule[1]}.js)`;
  if (/not implemented/i.test(text)) return 'not implemented';
  const first = text.trim().split('\n')[0] ?? '';
  if (first) return first.length > 90 ? `${first.slice(0, 87)}...` : first;
  return code === undefined ? 'failed' : `exit ${code}`;
}
