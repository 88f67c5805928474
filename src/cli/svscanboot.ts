// svscanboot: the boot-time wrapper around svscan (daemontools 0.76's svscanboot script, as
// Debian installs it). Puts its own stdin, stdout and stderr on /dev/null, stops every service
// with `svc -dx`, then runs `svscan /etc/service 2>&1 | readproctitle service errors: ....`
// with only PATH in the environment, and exits as the pipeline does (readproctitle's status).
import { closeSync, constants, existsSync, statSync, writeSync } from 'node:fs';
import {
  BOOT_PATH,
  envFailure,
  findCommand,
  localeIsUtf8,
  SERVICE_DIR,
  svcArguments,
  TITLE_ARGS,
} from '../lib/svscanboot.js';
import type { FdOp, NativeBinding } from '../native/binding.js';
import { shellStatus, startChild, waitChild } from '../lib/exec/child.js';
import { envBytes } from '../lib/exec/bytes.js';
import { pathCandidates } from '../lib/pathexec.js';
import { execContext } from './chain-host.js';

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
    for (const fd of [0, 1, 2]) execContext().ownFd(fd);
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

/** Runs `name` as the boot shell would (PATH search, the recorded exec state, `fds` added). */
async function run(
  n: NativeBinding,
  name: string,
  argv: readonly string[],
  env: readonly Buffer[],
  fds: readonly FdOp[],
  onExecError: (code: string) => number,
): Promise<number> {
  const files = name.includes('/') ? [name] : pathCandidates(name, BOOT_PATH);
  const started = startChild(n, files, argv, env, execContext().plan(fds));
  if ('code' in started) return onExecError(started.code);
  return shellStatus(await waitChild(started.pid));
}

export async function main(_argv: readonly string[]): Promise<number> {
  const n = loadNative();
  const utf8 = localeIsUtf8(process.env, (name) => existsSync(`/usr/lib/locale/${name}`));
  silence(n);

  if (n === null) return 111;
  // PATH=...: the shell changes the exported PATH only if it had one.
  const shellEnv = envBytes(execContext().env.map((e) => (e.startsWith('PATH=') ? `PATH=${BOOT_PATH}` : e)));
  const svc = findCommand('svc', BOOT_PATH, isRegularFile);
  if (svc !== null) await run(n, svc, ['svc', ...svcArguments(SERVICE_DIR)], shellEnv, [], () => 126);

  const bootEnv = [Buffer.from(`PATH=${BOOT_PATH}`)];
  const pipe = n.pipe();
  // The shell starts the left side of the pipe first; `2>&1` puts svscan's stderr there too.
  const scanDone = run(n, 'svscan', ['svscan', SERVICE_DIR], bootEnv, [['dup2', pipe[1], 1], ['dup2', pipe[1], 2]], (code) => {
    // env, not finding svscan, says so on its stderr: into the pipe.
    const failure = envFailure('svscan', code, utf8);
    try {
      writeSync(pipe[1], failure.text);
    } catch {
      // no reader left
    }
    return failure.status;
  });
  const titleDone = run(n, 'readproctitle', ['readproctitle', ...TITLE_ARGS], bootEnv, [['dup2', pipe[0], 0]], (code) =>
    envFailure('readproctitle', code, utf8).status,
  );
  closeSync(pipe[0]);
  closeSync(pipe[1]);
  const [, last] = await Promise.all([scanDone, titleDone]);
  return last;
}
