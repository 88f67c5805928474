// readproctitle against C's: what ps shows (args and comm) after the same input, the bytes in
// /proc/PID/cmdline, and the exit codes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, test } from 'vitest';
import { HAVE_C, ours, theirs } from '../helpers/paths.js';

const SIDES = [
  ['c', theirs('readproctitle')],
  ['ours', ours('readproctitle')],
] as const;
/** Each side's directory: started by name through PATH, as svscanboot starts it, argv[0] is the same. */
const DIRS = SIDES.map(([, file]) => dirname(file));

describe.runIf(HAVE_C)('usage', () => {
  test.each<[string, string[]]>([
    ['no arguments', []],
    ['a last argument under 5 bytes', ['a']],
    ['four dots', ['service', 'errors:', '....']],
  ])('%s: exit 100, nothing said', (_name, args) => {
    for (const [, file] of SIDES) {
      const r = spawnSync(file, args, { input: 'x', encoding: 'latin1' });
      expect([r.status, r.stdout, r.stderr]).toEqual([100, '', '']);
    }
  });

  test.each<[string, string, number]>([
    ['end of input: exit 0', 'exec "$0" service errors: .....', 0],
    ['stdin closed: exit 111', 'exec <&-; exec "$0" service errors: .....', 111],
  ])('%s', (_name, shell, status) => {
    for (const [, file] of SIDES) {
      const r = spawnSync('/bin/sh', ['-c', shell, file], { input: 'abc' });
      expect(r.status).toBe(status);
    }
  });
});

/** /proc/PID/cmdline exactly: C's ends with the window and one NUL, so must ours. */
const cmdline = (pid: number): Buffer => readFileSync(`/proc/${pid}/cmdline`);

const ps = (pid: number, field: string): string =>
  spawnSync('ps', ['-p', String(pid), '-o', `${field}=`], { encoding: 'latin1' }).stdout;

interface Shown {
  args: string;
  comm: string;
  cmdline: string;
}

/** A readproctitle started by name through PATH, as svscanboot starts it (so argv[0] is the same). */
class Title {
  readonly child: ChildProcess;
  constructor(
    readonly dir: string,
    args: string[],
  ) {
    this.child = spawn('readproctitle', args, { env: { PATH: dir }, stdio: ['pipe', 'ignore', 'ignore'] });
  }

  /** Writes `input`, then waits until the command line ends with `tail` (and a NUL). */
  async feed(input: Buffer, tail: Buffer): Promise<Shown> {
    const pid = this.child.pid!;
    const head = Buffer.from('readproctitle\0');
    const end = Buffer.concat([tail, Buffer.of(0)]);
    // Ours runs as Node once past the launcher, whose command line already reads like C's.
    const node = realpathSync(process.execPath);
    const settled = (): boolean => this.dir === DIRS[0] || readlinkSync(`/proc/${pid}/exe`) === node;
    if (input.length > 0) this.child.stdin!.write(input);
    const deadline = Date.now() + 10000;
    for (;;) {
      const now = cmdline(pid);
      if (now.subarray(0, head.length).equals(head) && now.subarray(now.length - end.length).equals(end) && settled()) break;
      if (Date.now() > deadline) throw new Error(`never showed ${JSON.stringify(tail.toString('latin1'))}: ${now.toString('latin1')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { args: ps(pid, 'args'), comm: ps(pid, 'comm'), cmdline: cmdline(pid).toString('latin1') };
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe.runIf(HAVE_C && process.platform === 'linux')('what ps shows', () => {
  const dots = '.'.repeat(40);
  const input = (text: string): Buffer => Buffer.from(text, 'latin1');
  /** Each step: the bytes written, and the end of the window once they are read. */
  test.each<[string, string[], [string, string][]]>([
    ['nothing read yet', ['service', 'errors:', dots], [['', dots]]],
    ['a line of errors', ['service', 'errors:', dots], [['svscan: warning: unable to start x\n', 'unable to start x\n']]],
    ['NULs skipped, other bytes kept', ['errors:', dots], [['a\0b\0c\t\x01\xe9\xff', 'abc\t\x01\xe9\xff']]],
    ['more than fits: the first three dots stay', ['x', '.....'], [['0123456789', '...89']]],
    ['one argument only', [dots], [['hello', 'hello']]],
    [
      'several inputs, the window shifting left',
      ['service', 'errors:', '.'.repeat(24)],
      [
        ['first\n', '.first\n'],
        ['second line\n', 'first\nsecond line\n'],
        ['\0\0', 'first\nsecond line\n'],
        ['and a third, longer than the window\n', '...nger than the window\n'],
      ],
    ],
  ])('%s: the same args, comm and cmdline bytes as C', async (_name, args, steps) => {
    const titles = DIRS.map((dir) => new Title(dir, args));
    try {
      for (const [bytes, tail] of steps) {
        const [c, o] = await Promise.all(titles.map((t) => t.feed(input(bytes), input(tail))));
        expect(o!.args).toBe(c!.args);
        expect(o!.comm).toBe(c!.comm);
        expect(o!.cmdline).toBe(c!.cmdline);
      }
    } finally {
      for (const t of titles) t.kill();
    }
  });
});
