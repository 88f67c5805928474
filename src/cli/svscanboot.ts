// svscanboot: the boot-time wrapper around svscan (daemontools 0.76's svscanboot script, as
// Debian installs it). Puts its own stdin, stdout and stderr on /dev/null, stops every service
// with `svc -dx`, then runs `svscan /etc/service 2>&1 | readproctitle service errors: ....`
// with only PATH in the environment, and exits as the pipeline does (readproctitle's status).
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Writable } from 'node:stream';
import { closeSync, constants, existsSync, statSync, writeSync } from 'node:fs';
import { constants as os } from 'node:os';
import {
  BOOT_PATH,
  envFailure,
  findCommand,
  localeIsUtf8,
  SERVICE_DIR,
  svcArguments,
  TITLE_ARGS,
} from '../lib/svscanboot.js';
import type { NativeBinding } from '../native/binding.js';

function loadNative(): NativeBinding | null {
  try {
    return (require('../native/index.js') as typeof import('../native/index.js')).native();
  } catch {
    return null;
  }
}

/** `exec </dev/null >/dev/null 2>/dev/null`. */
function silence(n: NativeBinding | null): void {
  if (n === null) return;
  try {
    const input = n.open('/dev/null', constants.O_RDONLY, 0);
    const output = n.open('/dev/null', constants.O_WRONLY, 0);
    n.dup2(input, 0);
    n.dup2(output, 1);
    n.dup2(output, 2);
    if (input > 2) n.close(input);
    if (output > 2) n.close(output);
  } catch {
    // nothing more to do: the shell would have died here, and quietly
  }
}

function isRegularFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

interface Outcome {
  /** The status the shell sees: the exit code, or 128 + the signal number. */
  readonly status: number;
}

/** Runs a child to its end; a failed exec is reported through `onExecError` and its status. */
function finish(child: ChildProcess, onExecError: (code: string) => number): Promise<Outcome> {
  return new Promise((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ status: onExecError(err.code ?? 'EIO') });
    });
    child.once('exit', (code, signal) => {
      resolve({ status: code ?? 128 + (signal === null ? 0 : os.signals[signal]) });
    });
  });
}

/** A pipe for `svscan 2>&1 | readproctitle`: a real pipe(2) where the addon is there. */
function makePipe(n: NativeBinding | null): [number, number] | null {
  if (n === null) return null;
  try {
    return n.pipe();
  } catch {
    return null;
  }
}

export async function main(_argv: readonly string[]): Promise<number> {
  const n = loadNative();
  const utf8 = localeIsUtf8(process.env, (name) => existsSync(`/usr/lib/locale/${name}`));
  silence(n);

  // PATH=...: the shell changes the exported PATH only if it had one.
  const shellEnv: NodeJS.ProcessEnv = { ...process.env };
  if (shellEnv.PATH !== undefined) shellEnv.PATH = BOOT_PATH;
  const svc = findCommand('svc', BOOT_PATH, isRegularFile);
  if (svc !== null) {
    const child = spawn(svc, svcArguments(SERVICE_DIR), { argv0: 'svc', env: shellEnv, stdio: 'ignore' });
    await finish(child, () => 126);
  }

  const bootEnv = { PATH: BOOT_PATH };
  const pipe = makePipe(n);
  let scan: ChildProcess;
  let title: ChildProcess;
  let writeEnd: number | Writable | null;
  if (pipe !== null) {
    // The shell starts the left side of the pipe first.
    writeEnd = pipe[1];
    scan = spawn('svscan', [SERVICE_DIR], { env: bootEnv, stdio: ['ignore', writeEnd, writeEnd] });
    title = spawn('readproctitle', TITLE_ARGS, { env: bootEnv, stdio: [pipe[0], 'ignore', 'ignore'] });
  } else {
    // Without the addon: Node's own stdio pipe (a socket pair), made by starting readproctitle first.
    title = spawn('readproctitle', TITLE_ARGS, { env: bootEnv, stdio: ['pipe', 'ignore', 'ignore'] });
    writeEnd = title.stdin;
    const out: StdioOptions = writeEnd === null ? 'ignore' : ['ignore', writeEnd, writeEnd];
    scan = spawn('svscan', [SERVICE_DIR], { env: bootEnv, stdio: out });
  }

  const scanDone = finish(scan, (code) => {
    // env, not finding svscan, says so on its stderr: into the pipe.
    const failure = envFailure('svscan', code, utf8);
    if (typeof writeEnd === 'number') {
      try {
        writeSync(writeEnd, failure.text);
      } catch {
        // no reader left
      }
    } else writeEnd?.write(failure.text);
    return failure.status;
  });
  const titleDone = finish(title, (code) => envFailure('readproctitle', code, utf8).status);
  await Promise.race([scanDone, new Promise((resolve) => scan.once('spawn', resolve))]);
  if (pipe !== null) {
    closeSync(pipe[0]);
    closeSync(pipe[1]);
  } else title.stdin?.end();

  const [, last] = await Promise.all([scanDone, titleDone]);
  return last.status;
}
