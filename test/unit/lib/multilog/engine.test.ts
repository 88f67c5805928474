// The engine with a fake clock and fake failures, on real directories.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Multilog } from '../../../../src/lib/multilog/engine.js';
import { MultilogFatal } from '../../../../src/lib/multilog/errors.js';
import { parseScript } from '../../../../src/lib/multilog/script.js';
import { formatStamp, stampFromMicros } from '../../../../src/lib/tai64n.js';
import { errno, fakeIO, START_MICROS, type FakeIO } from './fake-io.js';

const root = mkdtempSync(join(tmpdir(), 'dt-multilog-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let serial = 0;
const sandbox = (): string => {
  const dir = join(root, String(serial++));
  mkdirSync(dir);
  return dir;
};

async function session(cwd: string, args: string[], chunks: readonly (string | Buffer)[], io: FakeIO = fakeIO()): Promise<FakeIO> {
  const engine = await Multilog.open(parseScript(args), io, { cwd });
  for (const c of chunks) await engine.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  await engine.end();
  engine.release();
  return io;
}

/** Rotated files in order, then current: what was logged, in order. */
function logged(dir: string): string {
  const names = readdirSync(dir).filter((n) => n.startsWith('@')).sort();
  return [...names, 'current'].map((n) => readFileSync(join(dir, n), 'latin1')).join('');
}

const stderrText = (io: FakeIO): string => Buffer.concat(io.errOutput).toString('latin1');

describe('lines', () => {
  test('t stamps each line with the time its first byte was read; lines read together share it', async () => {
    const cwd = sandbox();
    await session(cwd, ['t', './d'], ['one\ntw', 'o\nthree\n', 'four\n']);
    const s = (k: number): string => formatStamp(stampFromMicros(START_MICROS + k));
    expect(readFileSync(join(cwd, 'd/current'), 'latin1')).toBe(`${s(0)} one\n${s(0)} two\n${s(1)} three\n${s(2)} four\n`);
  });

  test('a last line without a newline gets one', async () => {
    const cwd = sandbox();
    const io = await session(cwd, ['e', './d'], ['one\ntwo']);
    expect(readFileSync(join(cwd, 'd/current'), 'latin1')).toBe('one\ntwo\n');
    expect(stderrText(io)).toBe('one\ntwo\n');
  });

  test('e shows 200 bytes and "..."; = keeps 1000 bytes and newlines; the directory gets the whole line', async () => {
    const cwd = sandbox();
    const long = 'x'.repeat(999) + 'yz' + 'w'.repeat(3000);
    const io = await session(cwd, ['e', '=st', './d'], [`${long}\nshort\n`]);
    expect(stderrText(io)).toBe(`${'x'.repeat(200)}...\nshort\n`);
    expect(readFileSync(join(cwd, 'd/current'), 'latin1')).toBe(`${long}\nshort\n`);
    const status = readFileSync(join(cwd, 'st'), 'latin1');
    expect(status).toBe(`short${'\n'.repeat(996)}`);
    // created by open_append: 0600
    expect(statSync(join(cwd, 'st')).mode & 0o777).toBe(0o600);
  });

  test('patterns see the first 1000 bytes, stamp included', async () => {
    const cwd = sandbox();
    const match = 'a'.repeat(999) + 'Z';
    const beyond = 'a'.repeat(1000) + 'Z';
    await session(cwd, ['-*', '+*Z', './d', 't', './e'], [`${match}\n${beyond}\n`]);
    expect(readFileSync(join(cwd, 'd/current'), 'latin1')).toBe(`${match}\n`);
    // `t` is not first here: no stamps, every line selected for ./e (after `+*Z`? no: -* then +*Z applies to both dirs)
    expect(readFileSync(join(cwd, 'e/current'), 'latin1')).toBe(`${match}\n`);
  });

  test('a line split across any reads logs the same bytes', async () => {
    const input = Buffer.from(Array.from({ length: 300 }, (_, i) => 'x'.repeat((i * 37) % 1500)).join('\n') + '\n');
    const whole = sandbox();
    await session(whole, ['s4096', 'n100', './d'], [input]);
    const split = sandbox();
    const chunks: Buffer[] = [];
    for (let at = 0, k = 1; at < input.length; at += k, k = (k * 7 + 3) % 2000 || 1) chunks.push(input.subarray(at, at + k));
    await session(split, ['s4096', 'n100', './d'], chunks);
    expect(logged(join(split, 'd'))).toBe(input.toString('latin1'));
    expect(logged(join(whole, 'd'))).toBe(input.toString('latin1'));
  });

  test('the status file is overwritten in place, never truncated', async () => {
    const cwd = sandbox();
    writeFileSync(join(cwd, 'st'), 'z'.repeat(1500));
    await session(cwd, ['=st'], ['one\n']);
    const status = readFileSync(join(cwd, 'st'), 'latin1');
    expect(status).toBe(`one${'\n'.repeat(998)}${'z'.repeat(499)}`);
  });
});

describe('SIGTERM and reading', () => {
  test('readLength: all it may, then after SIGTERM nothing at a line end or one byte mid-line', async () => {
    const cwd = sandbox();
    const engine = await Multilog.open(parseScript(['./d']), fakeIO(), { cwd });
    expect(engine.readLength(4096)).toBe(4096);
    await engine.push(Buffer.from('abc'));
    let stopped = 0;
    engine.onStop = () => stopped++;
    engine.setWaiting(true);
    engine.terminate();
    engine.setWaiting(false);
    expect(stopped).toBe(0);
    expect(engine.readLength(4096)).toBe(1);
    await engine.push(Buffer.from('d'));
    expect(engine.readLength(4096)).toBe(1);
    await engine.push(Buffer.from('\n'));
    expect(engine.readLength(4096)).toBe(0);
    await engine.end();
    engine.release();
    expect(readFileSync(join(cwd, 'd/current'), 'latin1')).toBe('abcd\n');
    expect(statSync(join(cwd, 'd/current')).mode & 0o777).toBe(0o744);
  });

  test('SIGTERM at a line end asks the host to stop waiting', async () => {
    const cwd = sandbox();
    const engine = await Multilog.open(parseScript(['./d']), fakeIO(), { cwd });
    let stopped = 0;
    engine.onStop = () => stopped++;
    engine.setWaiting(true);
    engine.terminate();
    expect(stopped).toBe(1);
    expect(engine.readLength(4096)).toBe(0);
    await engine.end();
    engine.release();
  });

  test('while not waiting for input (C has the signals blocked), they count after the next read', async () => {
    const cwd = sandbox();
    const engine = await Multilog.open(parseScript(['./d']), fakeIO(), { cwd });
    await engine.push(Buffer.from('one\n'));
    engine.onStop = () => {
      throw new Error('not now');
    };
    engine.terminate();
    await engine.rotate();
    // C's next read: at most 1024 bytes, then it acts on them
    expect(engine.readLength(4096)).toBe(1024);
    expect(readdirSync(join(cwd, 'd')).filter((n) => n.startsWith('@'))).toEqual([]);
    await engine.push(Buffer.from('two\nthr'));
    // rotated after that read's data; terminating, mid-line
    expect(engine.readLength(4096)).toBe(1);
    await engine.push(Buffer.from('ee\n'));
    expect(engine.readLength(4096)).toBe(0);
    await engine.end();
    engine.release();
    expect(logged(join(cwd, 'd'))).toBe('one\ntwo\nthree\n');
    const old = readdirSync(join(cwd, 'd')).filter((n) => n.startsWith('@'));
    expect(old.map((n) => readFileSync(join(cwd, 'd', n), 'latin1'))).toEqual(['one\ntwo\n']);
  });

  test('a late SIGALRM is lost at the end of input, as in C', async () => {
    const cwd = sandbox();
    const engine = await Multilog.open(parseScript(['./d']), fakeIO(), { cwd });
    await engine.push(Buffer.from('one\n'));
    await engine.rotate();
    await engine.end();
    engine.release();
    expect(readdirSync(join(cwd, 'd')).sort()).toEqual(['current', 'lock', 'state']);
  });
});

describe('rotation', () => {
  test('SIGALRM rotates a non-empty current into @<stamp>.s', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const engine = await Multilog.open(parseScript(['./d']), io, { cwd });
    engine.setWaiting(true);
    await engine.rotate();
    expect(readdirSync(join(cwd, 'd')).sort()).toEqual(['current', 'lock', 'state']);
    await engine.push(Buffer.from('one\n'));
    io.micros = START_MICROS + 5_000_000;
    await engine.rotate();
    await engine.end();
    engine.release();
    const name = `${formatStamp(stampFromMicros(START_MICROS + 5_000_000))}.s`;
    expect(readdirSync(join(cwd, 'd')).sort()).toEqual([name, 'current', 'lock', 'state']);
    expect(readFileSync(join(cwd, 'd', name), 'latin1')).toBe('one\n');
    expect(statSync(join(cwd, 'd', name)).mode & 0o777).toBe(0o744);
  });

  test('n3 keeps the two newest files besides current', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const engine = await Multilog.open(parseScript(['n3', './d']), io, { cwd });
    engine.setWaiting(true);
    for (let i = 0; i < 5; i++) {
      await engine.push(Buffer.from(`${i}\n`));
      await engine.rotate();
    }
    await engine.end();
    engine.release();
    const old = readdirSync(join(cwd, 'd')).filter((n) => n.startsWith('@')).sort();
    expect(old.map((n) => readFileSync(join(cwd, 'd', n), 'latin1'))).toEqual(['3\n', '4\n']);
  });

  test('an @ entry that cannot be removed: "unable to read", pause, try again', async () => {
    const cwd = sandbox();
    mkdirSync(join(cwd, 'd'));
    mkdirSync(join(cwd, 'd', '@000000000000000000000000.s'));
    const io = fakeIO();
    let pausesLeft = 2;
    const engine = await Multilog.open(parseScript(['n2', './d']), io, { cwd });
    engine.setWaiting(true);
    await engine.push(Buffer.from('x\n'));
    const origSleep = io.sleep;
    io.sleep = async (ms) => {
      await origSleep(ms);
      if (--pausesLeft === 0) rmSync(join(cwd, 'd', '@000000000000000000000000.s'), { recursive: true });
    };
    await engine.rotate();
    await engine.end();
    engine.release();
    expect(io.messages).toEqual(['warning: unable to read ./d, pausing: EISDIR', 'warning: unable to read ./d, pausing: EISDIR']);
    expect(logged(join(cwd, 'd'))).toBe('x\n');
  });
});

describe('write errors pause and retry; nothing is lost or doubled', () => {
  test('ENOSPC on current', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    let failures = 3;
    io.onWrite = () => (failures-- > 0 ? (() => { throw errno('ENOSPC'); })() : undefined);
    const input = 'one\ntwo\nthree\n';
    await session(cwd, ['./d'], [input], io);
    expect(io.messages).toEqual(Array(3).fill('warning: unable to write to ./d/current, pausing: ENOSPC'));
    expect(io.pauses).toBe(3);
    expect(readFileSync(join(cwd, 'd/current'), 'latin1')).toBe(input);
  });

  test('short writes', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const input = Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    let calls = 0;
    const write = io.write;
    // Every other write takes only a third of what it was given.
    io.write = (fd, buf, offset, length, position) =>
      write(fd, buf, offset, calls++ % 2 === 0 && length > 3 ? Math.floor(length / 3) : length, position);
    await session(cwd, ['s4096', 'n100', './d'], [input], io);
    expect(io.messages).toEqual([]);
    expect(logged(join(cwd, 'd'))).toBe(input.toString('latin1'));
  });

  test('fsync failing at rotation', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    let failures = 2;
    io.onFsync = () => {
      if (failures-- > 0) throw errno('EIO');
    };
    const engine = await Multilog.open(parseScript(['./d']), io, { cwd });
    engine.setWaiting(true);
    await engine.push(Buffer.from('a\n'));
    await engine.rotate();
    await engine.end();
    engine.release();
    expect(io.messages).toEqual(Array(2).fill('warning: unable to write ./d/current to disk, pausing: EIO'));
    expect(logged(join(cwd, 'd'))).toBe('a\n');
  });

  test('status file: a failing write pauses; an unseekable one cannot move to the beginning', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const seq = [errno('EIO'), errno('ESPIPE')];
    io.onWrite = (_fd, length) => {
      if (length === 1001 && seq.length > 0) throw seq.shift();
      return undefined;
    };
    await session(cwd, ['=st'], ['x\n'], io);
    expect(io.messages).toEqual([
      'warning: unable to write st, pausing: EIO',
      'warning: unable to move to beginning of st, pausing: ESPIPE',
    ]);
    expect(readFileSync(join(cwd, 'st'), 'latin1')).toBe(`x${'\n'.repeat(1000)}`);
  });
});

describe('processors', () => {
  test('a failing processor is run again after a pause', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const real = io.runProcessor;
    const outcomes = [{ kind: 'exited', code: 1 } as const, { kind: 'forkFailed', error: errno('EAGAIN') } as const];
    io.runProcessor = async (job) => outcomes.shift() ?? real(job);
    const engine = await Multilog.open(parseScript(['!cat', './d']), io, { cwd });
    engine.setWaiting(true);
    await engine.push(Buffer.from('a\n'));
    await engine.rotate();
    await engine.end();
    engine.release();
    expect(io.messages).toEqual([
      'warning: processor failed in ./d, pausing',
      'warning: unable to fork for processor in ./d, pausing: EAGAIN',
    ]);
    expect(logged(join(cwd, 'd'))).toBe('a\n');
  });

  test('a crashed processor: the errno C would have left (here ENOENT from setting up), then "failed"', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const real = io.runProcessor;
    let first = true;
    io.runProcessor = async (job) => {
      if (!first) return real(job);
      first = false;
      return { kind: 'crashed', signal: 'SIGKILL' };
    };
    const engine = await Multilog.open(parseScript(['!cat', './d']), io, { cwd });
    engine.setWaiting(true);
    await engine.push(Buffer.from('a\n'));
    await engine.rotate();
    await engine.end();
    engine.release();
    expect(io.messages).toEqual([
      'warning: processor crashed in ./d, pausing: ENOENT',
      'warning: processor failed in ./d, pausing',
    ]);
  });

  test("the processor's fds: previous on 0, processed on 1, state on 4, newstate on 5, in the directory", async () => {
    const cwd = sandbox();
    const io = await session(cwd, ['s4096', '!tr a-z A-Z; pwd >&2; (cat <&4; echo more) >&5', './d'], ['a'.repeat(5000) + '\n'.repeat(1)]);
    void io;
    const d = join(cwd, 'd');
    const old = readdirSync(d).filter((n) => n.startsWith('@'));
    expect(old).toHaveLength(1);
    expect(readFileSync(join(d, old[0]), 'latin1')).toBe(`${'A'.repeat(4096)}`);
    expect(readFileSync(join(d, 'state'), 'latin1')).toBe('more\n');
    expect(existsSync(join(d, 'newstate'))).toBe(false);
    expect(readFileSync(join(d, 'current'), 'latin1')).toBe(`${'a'.repeat(904)}\n`);
  });

  test('a processor file that cannot be opened is what the C child reports', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const engine = await Multilog.open(parseScript(['!cat', './d']), io, { cwd });
    engine.setWaiting(true);
    rmSync(join(cwd, 'd', 'state'));
    io.sleep = async () => {
      io.pauses++;
      writeFileSync(join(cwd, 'd', 'state'), '');
    };
    await engine.push(Buffer.from('a\n'));
    await engine.rotate();
    await engine.end();
    engine.release();
    expect(io.messages).toEqual(['fatal: unable to run cat: ENOENT', 'warning: processor failed in ./d, pausing']);
  });
});

describe('starting on an existing directory (C restart)', () => {
  const setup = (files: Record<string, [content: string, mode: number]>): string => {
    const cwd = sandbox();
    mkdirSync(join(cwd, 'd'));
    for (const [name, [content, mode]] of Object.entries(files)) {
      writeFileSync(join(cwd, 'd', name), content);
      chmodSync(join(cwd, 'd', name), mode);
    }
    return cwd;
  };
  const tree = (cwd: string): string[] =>
    readdirSync(join(cwd, 'd'))
      .sort()
      .map((n) => `${n.replace(/^@[0-9a-f]{24}/, '@X')} ${(statSync(join(cwd, 'd', n)).mode & 0o777).toString(8)} ${readFileSync(join(cwd, 'd', n), 'latin1')}`);

  const restarts: ReadonlyArray<[name: string, files: Record<string, [string, number]>, expected: string[]]> = [
    // Left complete: nothing else is looked at, not even state.
    ['complete current: appended to', { current: ['old\n', 0o744] }, ['current 744 old\nnew\n', 'lock 600 ']],
    [
      'unfinished current: becomes .u',
      { current: ['old\n', 0o644], state: ['s', 0o644], newstate: ['n', 0o644] },
      // finish() links the file as it is: an unfinished one keeps mode 0644.
      ['@X.u 644 old\n', 'current 744 new\n', 'lock 600 ', 'state 644 '],
    ],
    [
      'processed and complete: kept as .s, previous dropped',
      { processed: ['P', 0o744], previous: ['p', 0o744], current: ['c\n', 0o644] },
      ['@X.s 744 P', '@X.u 644 c\n', 'current 744 new\n', 'lock 600 ', 'state 644 '],
    ],
    [
      'processed but unfinished: previous kept as .u',
      { processed: ['P', 0o644], previous: ['p', 0o744] },
      ['@X.u 744 p', 'current 744 new\n', 'lock 600 ', 'state 644 '],
    ],
  ];
  test.each(restarts)('%s', async (_name, files, expected) => {
    const cwd = setup(files);
    await session(cwd, ['./d'], ['new\n']);
    expect(tree(cwd)).toEqual(expected);
  });

  test('a resumed current already over the size rotates at the first write', async () => {
    const cwd = setup({ current: ['x'.repeat(5000) + '\n', 0o744] });
    await session(cwd, ['s4096', './d'], ['new\n']);
    expect(tree(cwd)).toEqual([`@X.s 744 ${'x'.repeat(5000)}\n`, 'current 744 new\n', 'lock 600 ']);
  });

  test('a held lock is fatal', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    io.onLock = () => {
      throw errno('EAGAIN');
    };
    const err = await Multilog.open(parseScript(['./d']), io, { cwd }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultilogFatal);
    expect((err as MultilogFatal).parts).toBe('unable to lock directory ./d: ');
    expect((err as MultilogFatal).cause).toMatchObject({ code: 'EAGAIN' });
  });

  test.each([
    [['./f/x'], 'unable to open directory ./f/x: ', 'ENOTDIR'],
    [['./f'], 'unable to open directory ./f: ', 'ENOTDIR'],
    [['=f/x'], 'unable to create f/x: ', 'ENOTDIR'],
    [['='], 'unable to create : ', 'ENOENT'],
  ])('%j: %s%s', async (args, parts, code) => {
    const cwd = sandbox();
    writeFileSync(join(cwd, 'f'), '');
    const err = await Multilog.open(parseScript(args), fakeIO(), { cwd }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultilogFatal);
    expect((err as MultilogFatal).parts).toBe(parts);
    expect((err as MultilogFatal).cause).toMatchObject({ code });
  });
});
