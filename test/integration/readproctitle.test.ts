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

function cmdline(pid: number): Buffer {
  const raw = readFileSync(`/proc/${pid}/cmdline`);
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  return raw.subarray(0, end);
}

const ps = (pid: number, field: string): string =>
  spawnSync('ps', ['-p', String(pid), '-o', `${field}=`], { encoding: 'latin1' }).stdout;

/** Starts readproctitle, feeds it, and waits until its command line ends with `tail`. */
async function shown(dir: string, args: string[], input: Buffer, tail: Buffer): Promise<{ args: string; comm: string; cmdline: Buffer }> {
  const child: ChildProcess = spawn('readproctitle', args, { env: { PATH: dir }, stdio: ['pipe', 'ignore', 'ignore'] });
  const head = Buffer.from('readproctitle\0');
  // Ours runs as Node once past the launcher, whose command line already reads like C's.
  const node = realpathSync(process.execPath);
  const settled = (pid: number): boolean => dir === DIRS[0] || readlinkSync(`/proc/${pid}/exe`) === node;
  try {
    child.stdin!.write(input);
    const deadline = Date.now() + 10000;
    for (;;) {
      const now = cmdline(child.pid!);
      const ends = now.subarray(0, head.length).equals(head) && now.subarray(now.length - tail.length).equals(tail);
      if (ends && settled(child.pid!)) break;
      if (Date.now() > deadline) throw new Error(`never showed ${JSON.stringify(tail.toString('latin1'))}: ${now.toString('latin1')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { args: ps(child.pid!, 'args'), comm: ps(child.pid!, 'comm'), cmdline: cmdline(child.pid!) };
  } finally {
    child.kill('SIGKILL');
  }
}

describe.runIf(HAVE_C && process.platform === 'linux')('what ps shows', () => {
  const dots = '.'.repeat(40);
  test.each<[string, string[], Buffer, string]>([
    ['nothing read yet', ['service', 'errors:', dots], Buffer.alloc(0), dots],
    ['a line of errors', ['service', 'errors:', dots], Buffer.from('svscan: warning: unable to start x\n'), 'unable to start x\n'],
    ['NULs skipped, other bytes kept', ['errors:', dots], Buffer.from('a\0b\0c\t\x01\xe9\xff', 'latin1'), 'abc\t\x01\xe9\xff'],
    ['more than fits: the first three dots stay', ['x', '.....'], Buffer.from('0123456789'), '...89'],
    ['one argument only', [dots], Buffer.from('hello'), 'hello'],
  ])('%s', async (_name, args, input, tail) => {
    const want = Buffer.from(tail, 'latin1');
    const [c, o] = await Promise.all(DIRS.map((dir) => shown(dir, args, input, want)));
    expect(o!.args).toBe(c!.args);
    expect(o!.comm).toBe(c!.comm);
    // Ours has NULs after, up to the end of Node's longer argument area; cmdline() drops them.
    expect(o!.cmdline.toString('latin1')).toBe(c!.cmdline.toString('latin1'));
  });
});
