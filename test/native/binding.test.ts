import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ADDON_BUILDS, addonScript, loadAddon } from '../helpers/addons.js';
import { ReachableCopies } from '../helpers/reachable.js';
import { readSurvey, SURVEY_SKIP } from '../../src/lib/scan/survey.js';

const dir = mkdtempSync(join(tmpdir(), 'dt-native-'));
const copies = new ReachableCopies();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  copies.remove();
});

test('both build paths are present', () => {
  expect(ADDON_BUILDS.map(([name]) => name)).toContain('node-gyp');
  if (process.env.CI) expect(ADDON_BUILDS.map(([name]) => name)).toContain('cmake-js');
});

describe.each(ADDON_BUILDS)('addon built by %s', (_name, file) => {
  const n = loadAddon(file);
  const { constants: c } = n;

  test('exports constants for every rlimit and RLIM_INFINITY as an exact bigint', () => {
    expect(c.RLIM_INFINITY).toBe(2n ** 64n - 1n);
    expect(n.rlimInfinity).toBe(c.RLIM_INFINITY);
    for (const r of ['AS', 'CORE', 'CPU', 'DATA', 'FSIZE', 'NOFILE', 'STACK']) expect(typeof c.RLIMIT[r]).toBe('number');
  });

  test('getrlimit / setrlimit round-trip the soft limit', () => {
    const [cur, max] = n.getrlimit(c.RLIMIT.CORE!);
    n.setrlimit(c.RLIMIT.CORE!, 0n, max);
    expect(n.getrlimit(c.RLIMIT.CORE!)).toEqual([0n, max]);
    n.setrlimit(c.RLIMIT.CORE!, cur, max);
    expect(n.getrlimit(c.RLIMIT.CORE!)).toEqual([cur, max]);
  });

  test('setrlimit above the hard limit fails like Node would (EPERM or EINVAL)', () => {
    const [, max] = n.getrlimit(c.RLIMIT.NOFILE!);
    if (max === c.RLIM_INFINITY) return;
    let err: any;
    try {
      n.setrlimit(c.RLIMIT.NOFILE!, max + 1n, max);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'EINVAL', syscall: 'setrlimit', errno: expect.any(Number) });
  });

  test('flock: a second non-blocking exclusive lock fails with EWOULDBLOCK', () => {
    const path = join(dir, `lock-${_name}`);
    const a = openSync(path, 'w');
    const b = openSync(path, 'r');
    n.flock(a, c.LOCK_EX | c.LOCK_NB);
    expect(() => n.flock(b, c.LOCK_EX | c.LOCK_NB)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'flock' }));
    n.flock(a, c.LOCK_UN);
    n.flock(b, c.LOCK_EX | c.LOCK_NB);
    closeSync(a);
    closeSync(b);
  });

  test('mkfifo makes a FIFO and reports EEXIST with the path', () => {
    const path = join(dir, `fifo-${_name}`);
    n.mkfifo(path, 0o600);
    expect(statSync(path).isFIFO()).toBe(true);
    expect(() => n.mkfifo(path, 0o600)).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'mkfifo', path }));
  });

  test.each([
    ['a directory', 'sd', (p: string) => mkdirSync(p)],
    ['a file', 'sf', (p: string) => closeSync(openSync(p, 'w'))],
    ['a symlink to a directory (followed)', 'sl', (p: string) => symlinkSync('.', p)],
  ])('statId of %s: st_dev, st_ino and st_mode as statSync finds them', (_what, name, make) => {
    // Each addon build's own name: both run in one directory.
    const path = join(dir, `${name}-${_name}`);
    make(path);
    const out = new Float64Array(2);
    const mode = n.statId!(path, out);
    const st = statSync(path);
    expect([out[0], out[1], mode]).toEqual([st.dev, st.ino, st.mode]);
  });

  test('statId throws the errno with the path; a wrong out array is a TypeError', () => {
    const path = join(dir, 'absent');
    expect(() => n.statId!(path, new Float64Array(2))).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'stat', path }));
    expect(() => n.statId!(dir, new Float64Array(1))).toThrow(TypeError);
    expect(() => n.statId!(dir, new Float32Array(2) as unknown as Float64Array)).toThrow(TypeError);
  });

  test('read moves bytes from a descriptor into a range of an array, and says how many', () => {
    const [r, w] = n.pipe();
    try {
      writeSync(w, new Uint8Array([2, 3, 4]));
      const into = new Uint8Array(8);
      expect(n.read(r, into, 2, 6)).toBe(3);
      expect([...into]).toEqual([0, 0, 2, 3, 4, 0, 0, 0]);
      n.close(w);
      expect(n.read(r, into, 0, 8)).toBe(0); // the end
      expect(() => n.read(w, into, 0, 1)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'read' }));
    } finally {
      n.close(r);
    }
  });

  test.each([
    ['a range past the end', () => n.read(0, new Uint8Array(4), 2, 3)],
    ['a negative offset', () => n.read(0, new Uint8Array(4), -1, 1)],
    ['an array of another type', () => n.read(0, new Uint16Array(4) as unknown as Uint8Array, 0, 1)],
    ['no array', () => n.read(0, 'abc' as unknown as Uint8Array, 0, 1)],
  ])('read refuses %s with a TypeError, never touching memory outside the array', (_what, call) => {
    expect(call).toThrow(TypeError);
  });

  test('access and realpath: the answers and errors of access(2) and realpath(3)', () => {
    const link = join(dir, `real-${_name}`);
    symlinkSync(dir, link);
    expect(n.realpath(link)).toBe(realpathSync.native(dir));
    expect(() => n.realpath(join(dir, 'absent'))).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'realpath' }));
    expect(n.access('/bin/sh', constants.X_OK)).toBeUndefined();
    const plain = join(dir, `plain-${_name}`);
    writeFileSync(plain, '', { mode: 0o644 });
    if (process.getuid?.() !== 0) expect(() => n.access(plain, constants.X_OK)).toThrow(expect.objectContaining({ code: 'EACCES', syscall: 'access' }));
    expect(() => n.access(join(dir, 'absent'), constants.F_OK)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'access', path: join(dir, 'absent') }));
  });

  test('members are made on first use, each once; a name the addon lacks is undefined', () => {
    expect(n.read).toBe(n.read);
    expect((n as unknown as Record<string, unknown>).noSuchCall).toBeUndefined();
    expect((n as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
  });

  test('readdirStat lists every entry but . and .. with its stat (symlinks followed), names beginning with `skip` unstated, and says how much room a listing needs', () => {
    const scan = join(dir, `survey-${_name}`);
    mkdirSync(scan);
    mkdirSync(join(scan, 'svc'));
    mkdirSync(join(scan, '.hidden'));
    closeSync(openSync(join(scan, 'file'), 'w'));
    symlinkSync('svc', join(scan, 'link'));
    symlinkSync('absent', join(scan, 'dangling'));
    const out = Buffer.alloc(4096);
    const length = n.readdirStat!(scan, SURVEY_SKIP, out);
    const entries = new Map(readSurvey({ bytes: out, length }).map((e) => [e.name, e.stat]));
    expect([...entries.keys()].sort()).toEqual(['.hidden', 'dangling', 'file', 'link', 'svc']);
    const st = statSync(join(scan, 'svc'));
    expect(entries.get('svc')).toEqual({ dev: st.dev, ino: st.ino, isDirectory: true });
    expect(entries.get('link')).toEqual(entries.get('svc'));
    expect(entries.get('file')).toMatchObject({ isDirectory: false });
    expect(entries.get('.hidden')).toBeUndefined();
    expect(entries.get('dangling')).toMatchObject({ code: 'ENOENT', syscall: 'stat', path: 'dangling' });
    // Too small: the size it needs, and the same listing once there is room.
    const small = Buffer.alloc(10);
    expect(n.readdirStat!(scan, SURVEY_SKIP, small)).toBe(length);
    expect(n.readdirStat!(scan, -1, Buffer.alloc(length * 2))).toBe(length);
    expect(() => n.readdirStat!(join(dir, 'absent'), -1, out)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'readdir' }));
  });

  test('pipe is close-on-exec; fcntl reads and changes the flags', () => {
    const [r, w] = n.pipe();
    expect(n.fcntl(r, c.F_GETFD) & c.FD_CLOEXEC).toBe(c.FD_CLOEXEC);
    n.fcntl(w, c.F_SETFL, n.fcntl(w, c.F_GETFL) | c.O_NONBLOCK);
    expect(n.fcntl(w, c.F_GETFL) & c.O_NONBLOCK).toBe(c.O_NONBLOCK);
    const d = n.dup(w);
    expect(n.fcntl(d, c.F_GETFD) & c.FD_CLOEXEC).toBe(0);
    for (const fd of [r, w, d]) n.close(fd);
    expect(() => n.close(d)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'close' }));
  });

  test('getpwnam finds root and returns null for an unknown account', () => {
    expect(n.getpwnam('root')).toMatchObject({ name: 'root', uid: 0, gid: 0 });
    expect(n.getpwnam('no-such-account-here')).toBeNull();
  });

  test('spawn runs a child under the plan and waitpid reports its exit', () => {
    const out = join(dir, `spawn-${_name}`);
    const fd = openSync(out, 'w');
    const plan = { ignore: [1], mask: [10], rlimits: [], fds: [['dup2', fd, 1]] as const };
    const { pid, execErrno } = n.spawn('/bin/grep', ['grep', '-E', '^Sig(Ign|Blk)', '/proc/self/status'], [], plan);
    closeSync(fd);
    expect(execErrno).toBe(0);
    let res = null;
    while (!(res = n.waitpid(pid, 0)));
    expect(res).toMatchObject({ pid, code: 0, signal: null });
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/SigBlk:\s*0+200\n/); // SIGUSR1 (10) only
    expect(text).toMatch(/SigIgn:\s*0+1\n/); // SIGHUP only
  });

  test('spawn sets the umask the plan names, else the child keeps ours', () => {
    const umaskOf = (plan: Record<string, unknown>): string => {
      const out = join(dir, `umask-${_name}`);
      const fd = openSync(out, 'w');
      const { pid } = n.spawn('/bin/grep', ['grep', '^Umask', '/proc/self/status'], [], { ignore: [], mask: [], rlimits: [], fds: [['dup2', fd, 1]], ...plan });
      closeSync(fd);
      n.waitpid(pid, 0);
      return readFileSync(out, 'latin1').trim();
    };
    expect(umaskOf({ umask: 0o027 })).toBe('Umask:\t0027');
    const ours = process.umask();
    expect(umaskOf({})).toBe(`Umask:\t${ours.toString(8).padStart(4, '0')}`);
  });

  test('spawn reports the exec errno; the child exits 111', () => {
    const plan = { ignore: [], mask: [], rlimits: [], fds: [] };
    const { pid, execErrno } = n.spawn('/nonexistent/prog', ['prog'], [], plan);
    expect(execErrno).toBe(2);
    expect(n.waitpid(pid, 0)).toMatchObject({ pid, code: 111 });
  });

  test.skipIf(process.platform !== 'linux')('spawn with pgid: 0 leads a group of its own, a pid joins that group, a gone group is not joined', () => {
    const pgidOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[2]);
    const plan = { ignore: [], mask: [], rlimits: [], fds: [] };
    const leader = n.spawn('/bin/sleep', ['sleep', '30'], [], { ...plan, pgid: 0 }).pid;
    const member = n.spawn('/bin/sleep', ['sleep', '30'], [], { ...plan, pgid: leader }).pid;
    const stray = n.spawn('/bin/sleep', ['sleep', '30'], [], { ...plan, pgid: 0x3fffffff }).pid;
    try {
      expect([pgidOf(leader), pgidOf(member), pgidOf(stray)]).toEqual([leader, leader, pgidOf(process.pid)]);
    } finally {
      for (const pid of [leader, member, stray]) process.kill(pid, 'SIGKILL');
    }
    for (const pid of [leader, member, stray]) expect(n.waitpid(pid, 0)).toMatchObject({ pid, signal: 9 });
    expect(() => n.spawn('/bin/true', ['true'], [], { ...plan, pgid: -1 })).toThrow(TypeError);
  });

  test.skipIf(process.platform !== 'linux')('waitid reports a child stopped and continued, and leaves its exit to waitpid', () => {
    const plan = { ignore: [], mask: [], rlimits: [], fds: [] };
    const { pid } = n.spawn('/bin/sleep', ['sleep', '30'], [], plan);
    const stopped = c.WSTOPPED | c.WNOHANG | c.WNOWAIT;
    try {
      expect(n.waitid(pid, stopped)).toBeNull();
      process.kill(pid, 'SIGSTOP');
      // Blocks until the stop has happened; WNOWAIT leaves it to be reported again.
      expect(n.waitid(pid, c.WSTOPPED | c.WNOWAIT)).toEqual({ pid, code: c.CLD_STOPPED, status: 19 });
      expect(n.waitid(pid, stopped)).toEqual({ pid, code: c.CLD_STOPPED, status: 19 });
      process.kill(pid, 'SIGCONT');
      expect(n.waitid(pid, c.WCONTINUED)).toMatchObject({ pid, code: c.CLD_CONTINUED });
      expect(n.waitid(pid, stopped)).toBeNull();
      expect(() => n.waitid(1, stopped)).toThrow(expect.objectContaining({ code: 'ECHILD', syscall: 'waitid' }));
    } finally {
      process.kill(pid, 'SIGKILL');
    }
    expect(n.waitpid(pid, 0)).toMatchObject({ pid, signal: 9 });
  });

  test('watchReadable calls back when a pipe becomes readable', async () => {
    const [r, w] = n.pipe();
    const seen = new Promise<void>((resolve) => {
      const watch = n.watchReadable(r, () => {
        watch.close();
        watch.close(); // a second close is harmless
        resolve();
      });
    });
    writeSync(w, 'x');
    await seen;
    n.close(r);
    n.close(w);
  });

  test.each([
    ['a NUL byte in a path', () => n.mkfifo('a\0b', 0o600)],
    ['a string where a number belongs', () => n.flock('3' as unknown as number, 0)],
    ['a missing argument', () => (n.setrlimit as unknown as () => void)()],
    ['a number where a bigint belongs', () => n.setrlimit(0, 1 as unknown as bigint, 1n)],
    ['a malformed plan', () => n.spawn('/bin/true', ['true'], [], { fds: 'x' } as never)],
    ['an unknown fd op', () => n.spawn('/bin/true', ['true'], [], { ignore: [], mask: [], rlimits: [], fds: [['frob', 1]] } as never)],
    ['an environment entry that is not a byte string (a character above U+00FF)', () => n.spawn('/bin/true', ['true'], ['A=\u0100'], { ignore: [], mask: [], rlimits: [], fds: [] })],
    ['an environment entry that is neither a string nor a Buffer', () => n.replaceEnviron([1 as unknown as string])],
    ['a NUL byte in an environment entry', () => n.replaceEnviron(['A=\0'])],
  ])('bad input (%s) throws a TypeError, never crashes', (_what, call) => {
    expect(call).toThrow(TypeError);
  });

  test('execve restores the plan and reports failure as pathexec does', () => {
    const script = `
      ${addonScript(file)}
      try { n.execve(['/nonexistent/a', '/etc'], ['x'], [], { ignore: [], mask: [], rlimits: [], fds: [] }); }
      catch (e) { process.stdout.write(JSON.stringify({ code: e.code, syscall: e.syscall, path: e.path })); }`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({ code: 'EACCES', syscall: 'execve', path: '/etc' });
  });

  test('environ and replaceEnviron carry bytes exactly, as Buffers or byte strings; execve takes Buffers as they are', () => {
    const script = `
      ${addonScript(file)}
      n.replaceEnviron([Buffer.from('A=\\xff', 'latin1'), 'B=\\xc3\\xa9', Buffer.from('no-name')]);
      const env = n.environ();
      process.stderr.write(JSON.stringify(env.map((s) => [typeof s, Buffer.from(s, 'latin1').toString('hex')])));
      n.execve([Buffer.from('/usr/bin/printf')], ['printf', '%s|%s|%s', Buffer.from([0xe9, 0xff]), 'é', '$B'], [...env, 'C=\\xe9'], { ignore: [], mask: [], rlimits: [], fds: [['cloexec', 1, false]] });`;
    const r = spawnSync(process.execPath, ['-e', script], { env: { KEPT: 'no' } });
    expect(JSON.parse(r.stderr.toString())).toEqual([
      ['string', '413dff'],
      ['string', '423dc3a9'],
    ]);
    expect(r.stdout).toEqual(Buffer.from([0xe9, 0xff, 0x7c, 0xc3, 0xa9, 0x7c, 0x24, 0x42]));
  });

  test('execve hands byte strings on as their bytes, not their UTF-8', () => {
    const script = `
      ${addonScript(file)}
      n.execve(['/usr/bin/env'], ['env'], ['A=\\xe9\\xff', 'B=\\xc3\\xa9'], { ignore: [], mask: [], rlimits: [], fds: [['cloexec', 1, false]] });`;
    const r = spawnSync(process.execPath, ['-e', script], { env: {} });
    expect(r.stdout).toEqual(Buffer.from('A=\xe9\xff\nB=\xc3\xa9\n', 'latin1'));
  });

  test.skipIf(process.platform !== 'linux')('a signal held for exec is neither lost nor fatal: the new program finds it pending and blocked', () => {
    // SIGTERM comes (to whichever thread the kernel picks) between the hold and the execve; SIGALRM is held but never comes.
    const script = `
      ${addonScript(file)}
      n.holdSignalForExec(15);
      n.holdSignalForExec(14);
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => n.execve(['/bin/cat'], ['cat', '/proc/self/status'], [], { ignore: [], mask: [], rlimits: [], fds: [['cloexec', 1, false]], held: [15, 14] }), 100);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.signal).toBe(null);
    const field = (name: string): bigint => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(r.stdout)?.[1] ?? 'x'}`);
    const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
    expect(field('SigBlk')).toBe(bit(15) | bit(14));
    expect(field('SigPnd') | field('ShdPnd')).toBe(bit(15));
  });
});

describe.each(ADDON_BUILDS)('chdir and fchdir, addon built by %s', (_name, file) => {
  test.skipIf(process.platform !== 'linux')('chdir takes a path by its bytes, fchdir comes back by descriptor, errors name the call and path', () => {
    const script = `
      ${addonScript(file)}
      const fs = require('fs');
      const base = fs.mkdtempSync('/tmp/dt-chdir-');
      const named = Buffer.concat([Buffer.from(base + '/d'), Buffer.from([0xe9])]);
      fs.mkdirSync(named);
      const start = fs.openSync('.', 'r');
      n.chdir(named);
      const inside = fs.readlinkSync('/proc/self/cwd', { encoding: 'buffer' }).equals(named);
      n.fchdir(start);
      const back = fs.readlinkSync('/proc/self/cwd') === process.cwd();
      let err;
      try { n.chdir(base + '/missing'); } catch (e) { err = { code: e.code, syscall: e.syscall, path: e.path }; }
      fs.rmSync(base, { recursive: true });
      console.log(JSON.stringify({ inside, back, err }));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { inside: boolean; back: boolean; err: { code: string; syscall: string; path: string } };
    expect(out.inside).toBe(process.platform === 'linux');
    expect(out.back).toBe(true);
    expect(out.err).toMatchObject({ code: 'ENOENT', syscall: 'chdir' });
    expect(out.err.path).toMatch(/\/missing$/);
  });
});

describe.each(ADDON_BUILDS)('Linux identity calls, addon built by %s', (_name, file) => {
  const n = loadAddon(file);
  const linux = process.platform === 'linux' && process.getuid?.() === 0;

  test.skipIf(!linux)('setfsuid/setfsgid change who creates files, for this thread only', () => {
    const open = join(dir, `open-${_name}`);
    chmodSync(dir, 0o711); // the identity must be able to reach the directory
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const path = join(open, 'created');
    const oldUid = n.setfsuid(65534);
    const oldGid = n.setfsgid(65534);
    try {
      closeSync(openSync(path, 'w'));
    } finally {
      n.setfsuid(oldUid);
      n.setfsgid(oldGid);
    }
    expect(oldUid).toBe(0);
    expect(statSync(path)).toMatchObject({ uid: 65534, gid: 65534 });
    expect(process.getuid?.()).toBe(0);
  });

  test.skipIf(!linux)('setgidThread/setuidThread change the calling thread alone; setgid/setuid then every thread', () => {
    // In a node of its own: the ids of each of its threads, after the per-thread calls, then after libc's.
    const script = `
      ${addonScript(file)}
      const fs = require('fs');
      const ids = () => fs.readdirSync('/proc/self/task').map((t) => {
        const s = fs.readFileSync('/proc/self/task/' + t + '/status', 'utf8');
        return (t === String(process.pid) ? 'main ' : 'other ') + /^Uid:\\s*(\\d+)/m.exec(s)[1] + ' ' + /^Gid:\\s*(\\d+)/m.exec(s)[1];
      });
      n.setgidThread(65534);
      n.setuidThread(65534);
      const alone = ids();
      n.setgid(65534);
      n.setuid(65534);
      console.log(JSON.stringify([alone, ids()]));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const [alone, after] = JSON.parse(r.stdout) as [string[], string[]];
    expect(alone.filter((t) => t.startsWith('main'))).toEqual(['main 65534 65534']);
    expect(alone.filter((t) => t.startsWith('other')).length).toBeGreaterThan(0);
    expect(new Set(alone.filter((t) => t.startsWith('other')))).toEqual(new Set(['other 0 0']));
    expect(new Set(after)).toEqual(new Set(['main 65534 65534', 'other 65534 65534']));
  });

  test.skipIf(process.platform !== 'linux')('pidfdOpen + pidfdGetfd copy a child descriptor', () => {
    const [r, w] = n.pipe();
    const plan = { ignore: [], mask: [], rlimits: [], fds: [['dup2', w, 7]] as const };
    const { pid } = n.spawn('/bin/sleep', ['sleep', '5'], [], plan);
    n.close(w);
    const pidfd = n.pidfdOpen(pid);
    const copy = n.pidfdGetfd(pidfd, 7);
    writeSync(copy, 'via the copy');
    const got = Buffer.alloc(20);
    expect(readSync(r, got).valueOf()).toBe(12);
    n.close(r);
    expect(n.fcntl(copy, c(n).F_GETFD) & c(n).FD_CLOEXEC).toBe(c(n).FD_CLOEXEC);
    n.close(copy);
    n.close(pidfd);
    process.kill(pid, 'SIGKILL');
    expect(n.waitpid(pid, 0)).toMatchObject({ pid, signal: 9 });
  });

  test.skipIf(process.platform !== 'linux')('tee copies pipe data without consuming it', () => {
    const [r1, w1] = n.pipe();
    const [r2, w2] = n.pipe();
    expect(() => n.tee(r1, w2, 100)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'tee' }));
    writeSync(w1, 'peeked line\n');
    expect(n.tee(r1, w2, 5)).toBe(5);
    const copy = Buffer.alloc(20);
    expect(readSync(r2, copy)).toBe(5);
    expect(copy.subarray(0, 5).toString()).toBe('peeke');
    const all = Buffer.alloc(20);
    expect(readSync(r1, all)).toBe(12);
    expect(all.subarray(0, 12).toString()).toBe('peeked line\n');
    for (const fd of [r1, w1, r2, w2]) n.close(fd);
  });

  test.skipIf(process.platform !== 'linux')('splice moves pipe data from one pipe to another', () => {
    const [r1, w1] = n.pipe();
    const [r2, w2] = n.pipe();
    writeSync(w1, 'moved line\n');
    expect(n.splice(r1, w2, 6)).toBe(6);
    const got = Buffer.alloc(20);
    expect(readSync(r2, got)).toBe(6);
    expect(got.subarray(0, 6).toString()).toBe('moved ');
    expect(readSync(r1, got)).toBe(5);
    expect(() => n.splice(r1, w2, 6)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'splice' }));
    for (const fd of [r1, w1, r2, w2]) n.close(fd);
  });

  test('madvise reaches the system call (an unaligned address: EINVAL)', () => {
    expect(() => n.madvise(1, 4096, 4)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'madvise' }));
  });

  test('mallocTrim answers a boolean', () => {
    expect(typeof n.mallocTrim()).toBe('boolean');
  });

  test.skipIf(process.platform !== 'linux')('brk answers the program break', () => {
    expect(n.brk()).toBeGreaterThan(0);
  });

  test.skipIf(process.platform !== 'linux')('prctlSetMmMap reaches the system call (a layout out of order: EINVAL)', () => {
    const layout = { startCode: 2 << 20, endCode: 1 << 20, startData: 0, endData: 0, startBrk: 0, brk: 0, startStack: 0, envStart: 0, envEnd: 0 };
    expect(() => n.prctlSetMmMap(layout, Buffer.from(new ArrayBuffer(2)))).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'prctl' }));
  });

  test.each([
    ['no layout', () => n.prctlSetMmMap(undefined as never, Buffer.alloc(1))],
    ['a layout field missing', () => n.prctlSetMmMap({ startCode: 1 } as never, Buffer.alloc(1))],
    ['a string for the bytes', () => n.prctlSetMmMap({} as never, 'x' as never)],
  ])('prctlSetMmMap with bad input (%s) throws a TypeError', (_what, call) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^expected/);
  });

  // In a process of its own: the command line it moves is that process's.
  test.skipIf(process.platform !== 'linux').each([
    ['root', []],
    ['an unprivileged user', ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']],
  ])('prctlSetMmMap moves the argument area and prctlSetName names it, as %s', (_who, prefix) => {
    if (prefix.length > 0 && process.getuid?.() !== 0) return;
    // The unprivileged process loads the addon: a copy nobody can reach, if the checkout is not.
    const addon = prefix.length > 0 ? copies.file(file) : file;
    const script = `
      const fs = require('fs');
      ${addonScript(addon)}
      const stat = fs.readFileSync('/proc/self/stat', 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const at = (i) => Number(f[i - 3]);
      const layout = { startCode: at(26), endCode: at(27), startStack: at(28), startData: at(45), endData: at(46),
        startBrk: at(47), brk: n.brk(), envStart: at(50), envEnd: at(51) };
      const own = Buffer.from(new ArrayBuffer(9));
      own.write('prog\\0arg\\0', 'latin1');
      n.prctlSetMmMap(layout, own);
      const before = fs.readFileSync('/proc/self/cmdline', 'latin1');
      own.write('ARG', 5, 'latin1');
      n.prctlSetName('svscan');
      if (fs.readFileSync('/proc/self/comm', 'latin1') !== 'svscan\\n') throw new Error('comm not set');
      process.stdout.write(JSON.stringify([before, fs.readFileSync('/proc/self/cmdline', 'latin1')]));
    `;
    const [cmd, ...args] = [...prefix, process.execPath, '-e', script];
    const r = spawnSync(cmd!, args, { encoding: 'latin1', cwd: '/' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['prog\0arg\0', 'prog\0ARG\0']);
  });
});

function c(n: ReturnType<typeof loadAddon>) {
  return n.constants;
}
