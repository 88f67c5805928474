// svc, svok and svstat against C's, byte for byte: every svstat line, every svc warning and the
// exact command bytes svc writes, svok's exit codes. "supervise" here is this test process
// holding the FIFOs open, so each status file can be made to order.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeStatus, TAI_EPOCH, taiNow, type Status } from '../../src/lib/status.js';
import { FakeSupervise, mkfifo, program, Sandbox, SIDES } from './sv-golden.js';

const box = new Sandbox();
const fakes: FakeSupervise[] = [];
afterAll(() => {
  for (const fake of fakes) fake.close();
  box.remove();
});

function fake(name: string, options: { down?: boolean } = {}): FakeSupervise {
  mkdirSync(box.file(name));
  if (options.down) writeFileSync(box.file(name, 'down'), '');
  const f = new FakeSupervise(box.file(name));
  fakes.push(f);
  return f;
}

const ago = (seconds: number): bigint => taiNow() - BigInt(seconds);
const status = (over: Partial<Status> & { at?: bigint }): Buffer =>
  encodeStatus({ stamp: { seconds: over.at ?? ago(100), nanoseconds: 500 }, pid: 0, paused: false, want: 'up', ...over });

describe('svstat', () => {
  // name, down file?, status bytes (null: none; made when the case runs), expected line after "name: "
  const cases: Array<[string, boolean, (() => Buffer) | null, string]> = [
    ['up', false, () => status({ pid: 123 }), 'up (pid 123) 100 seconds'],
    ['up-normally-down', true, () => status({ pid: 123 }), 'up (pid 123) 100 seconds, normally down'],
    ['up-paused', false, () => status({ pid: 123, paused: true }), 'up (pid 123) 100 seconds, paused'],
    ['up-want-down', false, () => status({ pid: 123, want: 'down' }), 'up (pid 123) 100 seconds, want down'],
    ['up-once', false, () => status({ pid: 123, want: 'none' }), 'up (pid 123) 100 seconds'],
    [
      'up-everything',
      true,
      () => status({ pid: 4000000, paused: true, want: 'down' }),
      'up (pid 4000000) 100 seconds, normally down, paused, want down',
    ],
    ['down', false, () => status({ want: 'down' }), 'down 100 seconds, normally up'],
    ['down-want-up', false, () => status({ want: 'up' }), 'down 100 seconds, normally up, want up'],
    ['down-normally-down', true, () => status({ want: 'down' }), 'down 100 seconds'],
    ['down-normally-down-want-up', true, () => status({ want: 'up' }), 'down 100 seconds, want up'],
    ['down-once', false, () => status({ want: 'none' }), 'down 100 seconds, normally up'],
    [
      'down-paused-ignored',
      false,
      () => Buffer.concat([status({}).subarray(0, 12), Buffer.from('000000000164', 'hex')]),
      'down 100 seconds, normally up',
    ],
    ['future-stamp', false, () => status({ pid: 9, at: taiNow() + 5000n }), 'up (pid 9) 0 seconds'],
    ['zero-stamp', false, () => Buffer.alloc(18), ''],
    ['short-status', false, () => status({ pid: 9 }).subarray(0, 17), 'unable to read supervise/status: bad format'],
    ['empty-status', false, () => Buffer.alloc(0), 'unable to read supervise/status: bad format'],
    ['long-status', false, () => Buffer.concat([status({ pid: 9 }), Buffer.from('extra')]), 'up (pid 9) 100 seconds'],
    ['no-status', false, null, 'unable to open supervise/status: file does not exist'],
  ];
  const fakesByName = new Map(cases.map(([name, down]) => [name, fake(name, { down })]));

  test.each(cases)('%s', (name, _down, bytes, line) => {
    const { c, ours } = box.bothInOneSecond('svstat', [name], () => {
      if (bytes !== null) fakesByName.get(name)!.writeStatus(bytes());
    });
    if (line !== '') expect(c).toEqual({ stdout: `${name}: ${line}\n`, stderr: '', status: 0 });
    expect(ours).toEqual(c);
  });

  test('an unreadable status: C misses the read error and reports the previous bytes', () => {
    mkdirSync(fake('status-dir').dir + '/supervise/status');
    const { c, ours } = box.bothInOneSecond('svstat', ['status-dir', 'up', 'status-dir'], () =>
      fakesByName.get('up')!.writeStatus(status({ pid: 123 })),
    );
    expect(c.stdout).toMatch(/^status-dir: down \d+ seconds, normally up\nup: up \(pid 123\) 100 seconds\nstatus-dir: up \(pid 123\) 100 seconds\n$/);
    expect(ours).toEqual(c);
  });

  test.each<[string, () => void, string]>([
    ['missing', () => {}, 'unable to chdir: file does not exist'],
    ['plain-file', () => writeFileSync(box.file('plain-file'), ''), 'unable to chdir: not a directory'],
    ['new', () => mkdirSync(box.file('new')), 'unable to open supervise/ok: file does not exist'],
    [
      'not-running',
      () => {
        mkdirSync(box.file('not-running/supervise'), { recursive: true });
        mkfifo(box.file('not-running/supervise/ok'));
      },
      'supervise not running',
    ],
    [
      'ok-dir',
      () => mkdirSync(box.file('ok-dir/supervise/ok'), { recursive: true }),
      'unable to open supervise/ok: is a directory',
    ],
    [
      'down-loop',
      () => {
        mkdirSync(box.file('down-loop'));
        symlinkSync('down', box.file('down-loop/down'));
      },
      'unable to stat down: symbolic link loop',
    ],
  ])('%s', (name, make, line) => {
    make();
    const { c, ours } = box.both('svstat', [name]);
    expect(c).toEqual({ stdout: `${name}: ${line}\n`, stderr: '', status: 0 });
    expect(ours).toEqual(c);
  });

  test.each<[string, string[]]>([
    ['no directories', []],
    ['an empty name', ['']],
    ['several, failures between, back where it started each time', ['up', 'missing', 'down', 'plain-file', 'up-paused', 'new']],
    ['absolute and relative', [box.file('up'), 'down', `${box.file('down')}/../up`]],
  ])('%s', (_name, args) => {
    const { c, ours } = box.bothInOneSecond('svstat', args);
    expect(c.status).toBe(0);
    expect(ours).toEqual(c);
  });
});

describe('svc', () => {
  const s1 = fake('svc1');
  const s2 = fake('svc2');
  mkdirSync(box.file('svc-new'));
  mkdirSync(box.file('svc-norun/supervise'), { recursive: true });
  mkfifo(box.file('svc-norun/supervise/control'));
  mkdirSync(box.file('svc-ctldir/supervise/control'), { recursive: true });
  writeFileSync(box.file('svc-file'), '');

  // args, what each fake service receives
  test.each<[string, string[], string]>([
    ['one letter', ['-u', 'svc1', 'svc2'], 'u'],
    ['all letters', ['-udopchaitkx', 'svc1', 'svc2'], 'udopchaitkx'],
    ['order and repeats', ['-tuut', '-d', '-xk', '-u', 'svc1', 'svc2'], 'tudxk'],
    ['no letters', ['svc1', 'svc2'], ''],
    ['"--"', ['-h', '--', 'svc1', 'svc2'], 'h'],
  ])('%s', (_name, args, sent) => {
    for (const side of SIDES) {
      const outcome = box.run(side, 'svc', args);
      expect(outcome).toEqual({ stdout: '', stderr: '', status: 0 });
      expect([s1.takeCommands(), s2.takeCommands()]).toEqual([sent, sent]);
    }
  });

  test.each<[string, string[]]>([
    ['illegal option', ['-z', 'svc1']],
    ['illegal option after good ones', ['-uz', 'svc1']],
    ['illegal multibyte option', ['-é', 'svc1']],
    ['option after "--" is a directory', ['-u', '--', '-d']],
    ['"-" is a directory', ['-u', '-', 'svc1']],
    ['nothing at all', []],
    ['letters and no directory', ['-dx']],
    ['missing directory', ['-u', 'missing-here']],
    ['a file', ['-u', 'svc-file']],
    ['no supervise directory', ['-u', 'svc-new']],
    ['supervise not running', ['-u', 'svc-norun']],
    ['control is a directory', ['-u', 'svc-ctldir']],
    ['empty name', ['-u', '']],
    ['warnings, then on to the next', ['-k', 'missing-here', 'svc-norun', 'svc1', 'svc-new', 'svc2']],
  ])('%s', (_name, args) => {
    const c = box.run('c', 'svc', args);
    const cSent = [s1.takeCommands(), s2.takeCommands()];
    const ours = box.run('ours', 'svc', args);
    expect(ours).toEqual(c);
    expect([s1.takeCommands(), s2.takeCommands()]).toEqual(cSent);
  });

  test('illegal option: sgetopt\'s line, then svc\'s usage, exit 100', () => {
    expect(box.run('ours', 'svc', ['-uz', 'svc1'])).toEqual({
      stdout: '',
      stderr:
        'svc: illegal option -- z\n' +
        'svc options: u up, d down, o once, x exit, p pause, c continue, h hup, a alarm, i interrupt, t term, k kill\n',
      status: 100,
    });
    expect(s1.takeCommands()).toBe('');
  });
});

describe('from a working directory that was removed', () => {
  // open(".") and fchdir still work there; getcwd does not.
  test.each<[string, string[]]>([
    ['svstat', ['up', box.file('up'), '.', box.file('down')]],
    ['svc', ['-h', box.file('svc1'), '.', 'svc2', box.file('svc2')]],
  ])('%s', (prog, args) => {
    const removed = (side: 'c' | 'ours') =>
      box.run(side, 'sh', ['-c', 'mkdir gone && cd gone && rmdir ../gone && exec "$0" "$@"', program(side, prog), ...args]);
    const c = removed('c');
    const ours = removed('ours');
    expect(c.status).toBe(0);
    expect(ours.stdout.replace(/\d+ seconds/g, 'S seconds')).toBe(c.stdout.replace(/\d+ seconds/g, 'S seconds'));
    expect(ours.stderr).toBe(c.stderr);
    expect(ours.status).toBe(c.status);
  });
});

describe('svok', () => {
  fake('svok-up');
  mkdirSync(box.file('svok-norun/supervise'), { recursive: true });
  mkfifo(box.file('svok-norun/supervise/ok'));
  mkdirSync(box.file('svok-new'));
  mkdirSync(box.file('svok-okdir/supervise/ok'), { recursive: true });

  test.each<[string, string[], number]>([
    ['running', ['svok-up'], 0],
    ['extra arguments are ignored', ['svok-up', 'svok-new'], 0],
    ['not running', ['svok-norun'], 100],
    ['never supervised', ['svok-new'], 100],
    ['no arguments: usage', [], 100],
    ['missing directory', ['svok-missing'], 111],
    ['ok is a directory', ['svok-okdir'], 111],
    ['empty name', [''], 111],
  ])('%s', (_name, args, code) => {
    const { c, ours } = box.both('svok', args);
    expect(c.status).toBe(code);
    expect(ours).toEqual(c);
  });
});

describe('a directory named by bytes that are not UTF-8', () => {
  // C's tools take a name as its bytes: they chdir to it and print it as given. Node decodes such
  // an argument to U+FFFD. $d is x, byte 0xff, y: a link to a running service.
  fake('bytes-up');
  writeFileSync(box.file('bytes-up', 'supervise', 'status'), status({ pid: 123 }));
  symlinkSync('bytes-up', Buffer.concat([Buffer.from(`${box.dir}/`), Buffer.from([0x78, 0xff, 0x79])]));

  // program, its arguments (sh words), what C prints that names $d (a part of it), C's exit code
  test.each<[string, string, string, number]>([
    ['svstat', '"$d" "$d/nope"', 'x\xffy: up (pid 123)', 0],
    ['svc', '-u "$d" "$d/nope"', 'unable to chdir to x\xffy/nope', 0],
    ['svok', '"$d"', '', 0],
    ['svok', '"$d/nope"', 'unable to chdir to x\xffy/nope', 111],
  ])('%s %s', (prog, args, named, code) => {
    const run = (side: 'c' | 'ours') => {
      const r = box.run(side, 'sh', ['-c', `d=$(printf 'x\\377y'); exec "$0" ${args}`, program(side, prog)]);
      return { ...r, stdout: r.stdout.replace(/\d+ seconds/g, 'S seconds') };
    };
    const c = run('c');
    expect(c.stdout + c.stderr).toContain(named);
    expect(c.status).toBe(code);
    expect(run('ours')).toEqual(c);
  });
});
