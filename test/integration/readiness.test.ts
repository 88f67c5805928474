// Issue 13 wired into supervise: each readiness dialect with a real client (a shell writing to
// fd N, systemd-notify and libsystemd's sd_notify, a Node service calling process.send('ready')),
// the watchdog and the ready timeout, the stop files, ./finish, the restart policy, the sidecar,
// and bad input. Each test gates its service on a file it creates, so no assertion races a clock.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { decodeStatus, type Status } from '../../src/lib/status.js';
import { checkSidecar } from '../../src/lib/supervise/ext/sidecar.js';
import { IS_ROOT } from '../helpers/paths.js';
import { cleanupAll, environOf, service, sidecar, sidecarUntil, stderrOf, supervise, until } from './readiness-harness.js';

afterEach(cleanupAll);

/** Waits for DIR/go (the test's signal to carry on). */
const WAIT_GO = 'until [ -e go ]; do sleep 0.02; done';
const go = (dir: string): void => writeFileSync(join(dir, 'go'), '');
const svc = (dir: string, ...args: string[]): void => {
  const r = spawnSync('/usr/bin/svc', [...args, dir]);
  expect(r.status).toBe(0);
};
const status18 = (dir: string): Status => {
  const status = decodeStatus(readFileSync(join(dir, 'supervise', 'status')));
  if (status === null) throw new Error(`${dir}/supervise/status is not 18 bytes of status`);
  return status;
};
/** The 18-byte status's pid once there is one. */
const upPid = (dir: string): number | undefined => {
  try {
    return status18(dir).pid || undefined;
  } catch {
    return undefined;
  }
};
const HAVE_SYSTEMD_NOTIFY = existsSync('/usr/bin/systemd-notify');
const HAVE_PYTHON = spawnSync('python3', ['-c', 'import ctypes; ctypes.CDLL("libsystemd.so.0")']).status === 0;

function fds(pid: number): Record<number, string> {
  const out: Record<number, string> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out[Number(fd)] = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      // Closed meanwhile.
    }
  }
  return out;
}

describe('s6: notification-fd', () => {
  test('the first newline on fd N means ready; nothing else in the descriptor table changes', async () => {
    const plain = service({ run: '#!/bin/sh\nexec sleep 100\n' });
    const dir = service({ run: `#!/bin/sh\n${WAIT_GO}\necho ready >&5\nexec sleep 100\n`, 'notification-fd': '5\n' });
    supervise(plain);
    supervise(dir);
    const starting = await sidecarUntil(dir, 'starting', (s) => s.state === 'starting' && s.pid !== 0);
    expect(starting).toMatchObject({ ready: false, dialect: 's6', readySince: null, starts: 1 });
    // status.json is written first and the 18 bytes follow: between the two the sidecar is ahead.
    await until('the 18 bytes written after status.json', () => checkSidecar(starting, status18(dir)) !== 'ahead' || undefined);
    expect(checkSidecar(starting, status18(dir))).toBe('match');
    go(dir);
    const up = await sidecarUntil(dir, 'ready', (s) => s.state === 'up');
    expect(up).toMatchObject({ ready: true, pid: starting.pid });
    expect(Date.parse(up.readySince!)).toBeGreaterThanOrEqual(Date.parse(up.since));
    const plainPid = await until('plain up', () => upPid(plain));
    await until('sleep exec\'d', () => readFileSync(`/proc/${up.pid}/cmdline`, 'latin1').startsWith('sleep') || undefined);
    await until('sleep exec\'d', () => readFileSync(`/proc/${plainPid}/cmdline`, 'latin1').startsWith('sleep') || undefined);
    const withFd = fds(up.pid);
    expect(withFd[5]).toMatch(/^pipe:/);
    delete withFd[5];
    const without = fds(plainPid);
    // The same descriptors by number (their targets differ only by the service's own paths).
    expect(Object.keys(withFd)).toEqual(Object.keys(without));
    // The same environment (but for the shell's PWD, the service's own directory).
    const noPwd = (pid: number): string[] => environOf(pid).filter((e) => !e.startsWith('PWD='));
    expect(noPwd(up.pid)).toEqual(noPwd(plainPid));
    expect(existsSync(join(plain, 'supervise', 'status.json'))).toBe(false);
  });

  test('closed without a newline: never ready; timeout-ready restarts it, recorded as ready-timeout', async () => {
    const dir = service({ run: '#!/bin/sh\nprintf x >&5\nexec 5>&-\nexec sleep 100\n', 'notification-fd': '5', 'timeout-ready': '300' });
    supervise(dir);
    const again = await sidecarUntil(dir, 'a restart', (s) => s.starts >= 2 && s.lastExit !== null);
    expect(again.lastExit).toMatchObject({ reason: 'ready-timeout', signal: 'SIGTERM', code: null });
    expect(again.ready).toBe(false);
  });
});

describe.skipIf(!HAVE_SYSTEMD_NOTIFY)('sd_notify: notify-socket', () => {
  test('systemd-notify --ready --status from inside ./run (not the main pid)', async () => {
    const dir = service({ run: `#!/bin/sh\n${WAIT_GO}\nsystemd-notify --ready --status="serving 3 clients"\nexec sleep 100\n`, 'notify-socket': '' });
    supervise(dir);
    const starting = await sidecarUntil(dir, 'starting', (s) => s.state === 'starting' && s.pid !== 0);
    const env = environOf(starting.pid);
    expect(env.filter((e) => e.startsWith('NOTIFY_SOCKET='))).toEqual([expect.stringMatching(/^NOTIFY_SOCKET=@daemontools\/notify\/[0-9a-f]+:[0-9a-f]+$/)]);
    expect(env.some((e) => e.startsWith('WATCHDOG_USEC='))).toBe(false);
    go(dir);
    const up = await sidecarUntil(dir, 'ready', (s) => s.state === 'up');
    expect(up).toMatchObject({ ready: true, statusText: 'serving 3 clients', dialect: 'sd-notify', pid: starting.pid });
  });

  test.skipIf(!IS_ROOT)('a sender of another uid (not root) is not heard', async () => {
    const dir = service({ run: `#!/bin/sh\n/usr/bin/setuidgid nobody systemd-notify --ready --status=other\nsystemd-notify --status=ours\nexec sleep 100\n`, 'notify-socket': '' });
    supervise(dir);
    const s = await sidecarUntil(dir, 'our STATUS=', (x) => x.statusText === 'ours');
    expect(s).toMatchObject({ ready: false, state: 'starting' });
  });

  test.skipIf(!HAVE_PYTHON)("libsystemd's sd_notify; garbage datagrams are ignored", async () => {
    const py = [
      'import ctypes, os, socket',
      'addr = os.environ["NOTIFY_SOCKET"]',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      'a = "\\0" + addr[1:]',
      'for junk in [b"x" * 5000, b"READY=1\\0\\x01\\x02", b"FOO=bar", b"\\xff\\xfe", b"STATUS=\\xff"]: s.sendto(junk, a)',
      'l = ctypes.CDLL("libsystemd.so.0")',
      'assert l.sd_notify(0, b"STATUS=warming") > 0',
      'while not os.path.exists("go"): pass',
      'assert l.sd_notify(0, b"READY=1\\nSTATUS=up and running\\nMAINPID=%d\\nERRNO=2" % os.getppid()) > 0',
    ].join('\n');
    const dir = service({ run: `#!/bin/sh\npython3 -c '${py}' || echo PYFAIL >&2\nexec sleep 100\n`, 'notify-socket': '' });
    supervise(dir);
    const warming = await sidecarUntil(dir, 'STATUS=warming', (s) => s.statusText === 'warming');
    expect(warming).toMatchObject({ state: 'starting', ready: false });
    go(dir);
    const up = await sidecarUntil(dir, 'ready', (s) => s.ready);
    expect(up).toMatchObject({ statusText: 'up and running', mainPid: up.pid, errno: 2, state: 'up' });
    expect(stderrOf(dir)).not.toContain('PYFAIL');
  });

  test('watchdog: WATCHDOG_USEC; no WATCHDOG=1 in time → taken down (down-signal) and started again', async () => {
    const dir = service({
      run: '#!/bin/sh\nsystemd-notify --ready\ntrap "echo \\$WATCHDOG_USEC > got-hup; exit 0" HUP\nwhile :; do sleep 0.05; done\n',
      'notify-socket': '',
      watchdog: '1',
      'down-signal': 'HUP',
    });
    supervise(dir);
    const restarted = await sidecarUntil(dir, 'the watchdog', (s) => s.starts >= 2 && s.lastExit !== null);
    expect(restarted.lastExit).toMatchObject({ reason: 'watchdog', code: 0, signal: null });
    expect(readFileSync(join(dir, 'got-hup'), 'latin1')).toBe('1000000\n');
  });

  test('WATCHDOG=1 pings keep it up; WATCHDOG=trigger takes it down at once', async () => {
    const dir = service({
      run: `#!/bin/sh\nsystemd-notify --ready\nwhile [ ! -e go ]; do systemd-notify WATCHDOG=1; echo >> pings; sleep 0.2; done\nrm -f go\nsystemd-notify WATCHDOG=trigger\nexec sleep 100\n`,
      'notify-socket': '',
      watchdog: '1',
    });
    supervise(dir);
    const up = await sidecarUntil(dir, 'ready', (s) => s.state === 'up');
    // Longer than the watchdog's period, by ./run's own pace: 8 pings 0.2 s apart.
    await until('pings', () => (existsSync(join(dir, 'pings')) && readFileSync(join(dir, 'pings'), 'latin1').length >= 8) || undefined);
    expect(sidecar(dir)).toMatchObject({ state: 'up', starts: 1, pid: up.pid });
    go(dir);
    const down = await sidecarUntil(dir, 'trigger', (s) => s.lastExit !== null);
    expect(down.lastExit).toMatchObject({ reason: 'watchdog', signal: 'SIGTERM' });
  });
});

describe('Node IPC: notify-ipc', () => {
  test("process.send('ready') means ready; other messages are ignored", async () => {
    const js = "const fs=require('fs');process.send('hello');process.send({cmd:'x'});const t=setInterval(()=>{if(fs.existsSync('go')){clearInterval(t);process.send('ready');setInterval(()=>process.send({tick:1}),20)}},20)";
    const dir = service({ run: `#!/bin/sh\nexec ${process.execPath} -e "${js}"\n`, 'notify-ipc': '' });
    supervise(dir);
    const starting = await sidecarUntil(dir, 'starting', (s) => s.state === 'starting' && s.pid !== 0);
    const env = environOf(starting.pid);
    const channel = env.find((e) => e.startsWith('NODE_CHANNEL_FD='))!;
    // The lowest descriptor ./run does not inherit, as child_process.fork would give (0-2 here).
    expect(channel).toBe('NODE_CHANNEL_FD=3');
    expect(env).toContain('NODE_CHANNEL_SERIALIZATION_MODE=json');
    expect(readlinkSync(`/proc/${starting.pid}/fd/${channel.split('=')[1]}`)).toMatch(/^socket:/);
    go(dir);
    const up = await sidecarUntil(dir, 'ready', (s) => s.state === 'up');
    expect(up).toMatchObject({ ready: true, dialect: 'ipc', pid: starting.pid, starts: 1 });
  });
});

/** A process's name, '' once it is gone. */
function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trimEnd();
  } catch {
    return '';
  }
}

describe('stopping', () => {
  test('down-signal instead of TERM for svc -d; timeout-kill when it is ignored', async () => {
    const hup = service({ run: '#!/bin/sh\ntrap "echo HUP > got; exit 0" HUP\ntrap "echo TERM > got; exit 0" TERM\nwhile :; do sleep 0.05; done\n', 'down-signal': 'SIGHUP' });
    const stubborn = service({ run: "#!/bin/sh\ntrap '' TERM\nexec sleep 100\n", 'timeout-kill': '200' });
    supervise(hup);
    supervise(stubborn);
    await sidecarUntil(hup, 'up', (s) => s.state === 'up');
    await sidecarUntil(stubborn, 'up', (s) => s.state === 'up');
    svc(hup, '-d');
    svc(stubborn, '-d');
    const a = await sidecarUntil(hup, 'down', (s) => s.state === 'down');
    expect(a.lastExit).toMatchObject({ reason: 'stopped', code: 0 });
    expect(readFileSync(join(hup, 'got'), 'latin1')).toBe('HUP\n');
    const b = await sidecarUntil(stubborn, 'down', (s) => s.state === 'down');
    expect(b.lastExit).toMatchObject({ reason: 'stopped', signal: 'SIGKILL' });
    // status.json is written first, the 18 bytes right after it.
    await until('the 18 bytes', () => status18(stubborn).pid === 0 || undefined);
    expect(status18(stubborn)).toMatchObject({ pid: 0, want: 'down' });
  });

  test("./finish gets the exit code (256 when killed) and the signal, in the service directory; exit 125 = failed until svc -u", async () => {
    const dir = service({
      run: `#!/bin/sh\n[ -e die ] && exit 3\nexec sleep 100\n`,
      finish: '#!/bin/sh\necho "$1 $2 $(pwd)" >> finished\n[ -e fail ] && exit 125\nexit 0\n',
    });
    supervise(dir);
    const first = await sidecarUntil(dir, 'up', (s) => s.state === 'up');
    svc(dir, '-k');
    const second = await sidecarUntil(dir, 'restarted', (s) => s.starts === 2 && s.state === 'up');
    // Up is the start of ./run: its test for "die" must be behind it (sleep exec'd) before "die" exists.
    await until('./run past its test', () => commOf(second.pid) === 'sleep');
    writeFileSync(join(dir, 'die'), '');
    writeFileSync(join(dir, 'fail'), '');
    svc(dir, '-t');
    const failed = await sidecarUntil(dir, 'failed', (s) => s.state === 'failed');
    expect(failed).toMatchObject({ pid: 0, want: 'up' });
    const lines = readFileSync(join(dir, 'finished'), 'latin1').trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([`256 9 ${dir}`, `256 15 ${dir}`]);
    expect(first.lastExit).toBeNull();
    // Failed stays down (no further start) until svc -u.
    const starts = failed.starts;
    spawnSync('rm', ['-f', join(dir, 'die'), join(dir, 'fail')]);
    expect(sidecar(dir)!.starts).toBe(starts);
    svc(dir, '-u');
    await sidecarUntil(dir, 'up again', (s) => s.state === 'up' && s.starts === starts + 1);
  });
});

describe('restart policy', () => {
  test('backoff MIN MAX: the pause doubles from MIN up to MAX', async () => {
    const dir = service({ run: '#!/bin/sh\nexit 1\n', backoff: '1 2' });
    supervise(dir);
    const pauses: number[] = [];
    let seen = 0;
    await until('three backoffs', () => {
      const s = sidecar(dir);
      if (s?.state === 'backoff' && s.deathsTotal > seen && s.nextStartAt !== null && s.lastExit !== null) {
        seen = s.deathsTotal;
        pauses.push(Date.parse(s.nextStartAt) - Date.parse(s.lastExit.at));
      }
      return pauses.length >= 3 || undefined;
    }, 30000);
    expect(pauses).toEqual([1000, 2000, 2000]);
  });

  test('permanent-failure SECONDS COUNT: failed, and C svstat still reads the 18 bytes', async () => {
    const dir = service({ run: '#!/bin/sh\nexit 2\n', 'permanent-failure': '60 2', 'max-death-tally': '5' });
    supervise(dir);
    const failed = await sidecarUntil(dir, 'failed', (s) => s.state === 'failed');
    expect(failed.deathsTotal).toBe(2);
    expect(failed.deaths.map((d) => d.code)).toEqual([2, 2]);
    await until('the 18 bytes', () => upPid(dir) === undefined || undefined);
    expect(spawnSync('/usr/bin/svstat', [dir], { encoding: 'latin1' }).stdout).toMatch(new RegExp(`^${dir}: down \\d+ seconds, normally up, want up\\n$`));
  });

  test('max-death-tally: only the last N deaths are kept', async () => {
    const dir = service({ run: '#!/bin/sh\nexit 4\n', 'max-death-tally': '2' });
    supervise(dir);
    const s = await sidecarUntil(dir, 'three deaths', (x) => x.deathsTotal >= 3);
    expect(s.deaths.length).toBe(2);
  });
});

describe('bad input', () => {
  test('each malformed file is warned about once, in djb style, and the service runs as without it', async () => {
    const dir = service({
      run: '#!/bin/sh\necho started >> starts\nexec sleep 100\n',
      'notification-fd': '2\n',
      'down-signal': 'BOGUS\n',
      backoff: '5 1\n',
      'timeout-kill': '-3\n',
    });
    supervise(dir);
    await until('up', () => upPid(dir));
    await until('warnings', () => stderrOf(dir).split('\n').length >= 5 || undefined);
    expect(stderrOf(dir).split('\n').sort()).toEqual(
      [
        '',
        `supervise: warning: ${dir}/backoff: ignored: MIN 5 is more than MAX 1`,
        `supervise: warning: ${dir}/down-signal: ignored: not a signal: "BOGUS"`,
        `supervise: warning: ${dir}/notification-fd: ignored: descriptor 2 is one of stdin, stdout, stderr (use 3 or more)`,
        `supervise: warning: ${dir}/timeout-kill: ignored: not an unsigned number of milliseconds: "-3"`,
      ].sort(),
    );
    // As if absent: no sidecar, C's TERM on svc -d.
    expect(existsSync(join(dir, 'supervise', 'status.json'))).toBe(false);
    svc(dir, '-d');
    await until('down', () => status18(dir).pid === 0 || undefined);
    expect(readFileSync(join(dir, 'supervise', 'status')).length).toBe(18);
  });
});
