// The rc.d script run for real with a stand-in rc.subr (the few functions it uses, as FreeBSD's
// and NetBSD's behave): start runs our svscan over the scan directory, status finds it, stop has
// it take the services down and waits for it to go.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { isSupervised } from '../../src/api/control.js';
import { waitFor } from '../../src/api/watch.js';
import { OUR_BIN } from '../helpers/paths.js';
import { daemontools } from './daemontools-cli-run.js';

const RC_SUBR = `# stand-in for /etc/rc.subr
load_rc_config() { :; }
wait_for_pids() {
	for p in "$@"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
}
run_rc_command() {
	case "$1" in
	start) $start_cmd ;;
	stop) $stop_cmd ;;
	status) $status_cmd ;;
	*) echo "unknown command $1"; return 1 ;;
	esac
}
`;

let work: string;
let pidfile = '';
afterEach(() => {
  // Whatever the test left running: svscan by its pid file (its services stop with it).
  if (existsSync(pidfile)) {
    try {
      process.kill(Number(readFileSync(pidfile, 'utf8')), 'SIGTERM');
    } catch {
      // Gone.
    }
  }
  rmSync(work, { recursive: true, force: true });
});

test.skipIf(!existsSync(join(OUR_BIN, 'svscan')))('start, status and stop', async () => {
  work = mkdtempSync(join(tmpdir(), 'dt-rcd-'));
  const root = join(work, 'root');
  const scandir = join(work, 'service');
  daemontools(['install-boot', '--rcd', '--root', root, '--bindir', OUR_BIN, '--scandir', scandir]);
  pidfile = join(work, 'daemontools.pid');
  writeFileSync(join(work, 'rc.subr'), RC_SUBR);
  // The script's absolute paths, pointed into the work directory.
  const script = readFileSync(join(root, 'usr/local/etc/rc.d/daemontools'), 'utf8')
    .replace('. /etc/rc.subr', `. ${join(work, 'rc.subr')}`)
    .replace('pidfile="/var/run/${name}.pid"', `pidfile="${pidfile}"`);
  writeFileSync(join(work, 'rcd'), script);
  // logger: to a file here, not to syslog.
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'logger'), `#!/bin/sh\nexec cat >> ${join(work, 'syslog')}\n`);
  chmodSync(join(work, 'bin', 'logger'), 0o755);
  const service = join(scandir, 'clock');
  mkdirSync(service, { recursive: true });
  writeFileSync(join(service, 'run'), '#!/bin/sh\nexec sleep 1000\n');
  chmodSync(join(service, 'run'), 0o755);

  const rc = (command: string) =>
    spawnSync('sh', [join(work, 'rcd'), command], { encoding: 'utf8', env: { PATH: `${join(work, 'bin')}:/usr/bin:/bin` }, timeout: 30000 });

  expect(rc('status')).toMatchObject({ stdout: 'daemontools is not running.\n', status: 1 });
  expect(rc('start')).toMatchObject({ stdout: 'Starting daemontools.\n', status: 0 });
  const up = await waitFor(service, 'up', { timeout: 15000 });
  const pid = Number(readFileSync(pidfile, 'utf8'));
  expect(rc('status')).toMatchObject({ stdout: `daemontools is running as pid ${pid}.\n`, status: 0 });
  expect(rc('start').stdout).toBe(`daemontools is already running as pid ${pid}.\n`);

  expect(rc('stop')).toMatchObject({ stdout: 'Stopping daemontools.\n', status: 0 });
  // svscan took the service down before it went, and is gone.
  expect(() => process.kill(up.pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  expect(isSupervised(service)).toBe(false);
  expect(existsSync(pidfile)).toBe(false);
  expect(rc('stop').stdout).toBe('daemontools is not running.\n');
}, 60000);
