// tai64n against C's, byte for byte once the stamps (which cannot agree) are set aside; the
// stamps themselves must be well-formed, in order and taken while the program ran.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { parseStamp, stampToUnix } from '../../src/lib/tai64n.js';
import { HAVE_C, ours, theirs } from '../helpers/paths.js';

const SIDES = [
  ['c', theirs('tai64n')],
  ['ours', ours('tai64n')],
] as const;

const STAMP = /^@[0-9a-f]{24} /;

interface Run {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly from: number;
  readonly to: number;
}

function run(file: string, input: Buffer, args: string[] = [], shell?: string): Run {
  const from = Date.now() * 1000;
  const r = shell
    ? spawnSync('/bin/sh', ['-c', shell, file], { input, maxBuffer: 1 << 28 })
    : spawnSync(file, args, { input, maxBuffer: 1 << 28 });
  const to = (Date.now() + 1) * 1000;
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr.toString(), status: r.status, signal: r.signal, from, to };
}

/** The output with every line's stamp replaced by a token, and the stamps in microseconds. */
function split(out: Buffer): { text: string; stamps: number[] } {
  const stamps: number[] = [];
  if (out.length === 0) return { text: '', stamps };
  const lines = out.toString('latin1').split(/(?<=\n)/);
  const bad: string[] = [];
  const text = lines
    .map((line) => {
      const stamp = STAMP.test(line) ? parseStamp(line.slice(0, 25)) : null;
      // taia_now: whole microseconds + 500 ns
      if (stamp === null || stamp.nanoseconds % 1000 !== 500) bad.push(line.slice(0, 40));
      else stamps.push(Number(stampToUnix(stamp).seconds) * 1e6 + (stamp.nanoseconds - 500) / 1000);
      return `@STAMP ${line.slice(26)}`;
    })
    .join('');
  expect(bad).toEqual([]);
  return { text, stamps };
}

const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) % 256));

describe.runIf(HAVE_C)('tai64n, golden', () => {
  test.each<[string, Buffer, string[]]>([
    ['no input', Buffer.alloc(0), []],
    ['one line', Buffer.from('hello\n'), []],
    ['a last line without newline', Buffer.from('a\nb'), []],
    ['empty lines', Buffer.from('\n\n\n'), []],
    ['any bytes, NUL and CR included', bytes(3000), []],
    ['a 300 kB line', Buffer.alloc(300_000, 'x'), []],
    ['20000 lines', Buffer.from('line of text\n'.repeat(20000)), []],
    ['arguments are ignored', Buffer.from('x\n'), ['-v', 'whatever']],
  ])('%s', (_name, input, args) => {
    const [c, o] = SIDES.map(([, file]) => run(file, input, args));
    const cs = split(c!.stdout);
    const os = split(o!.stdout);
    expect(os.text).toBe(cs.text);
    expect([o!.status, o!.signal, o!.stderr]).toEqual([c!.status, c!.signal, c!.stderr]);
    expect(o!.status).toBe(0);
    // Our stamps: taken while it ran, never going back.
    const wrong = os.stamps.filter((t, i) => t < o!.from || t > o!.to || (i > 0 && t < os.stamps[i - 1]!));
    expect(wrong).toEqual([]);
  });

  test.each<[string, string, Buffer, number | null, NodeJS.Signals | null]>([
    ['stdin closed: the read fails', 'exec <&-; exec "$0"', Buffer.alloc(0), 111, null],
    ['stdout closed: the first write fails', 'exec >&-; exec "$0"', Buffer.from('x\n'), 111, null],
    ['stdout closed but nothing to write', 'exec >&-; exec "$0"', Buffer.alloc(0), 0, null],
  ])('%s', (_name, shell, input, status, signal) => {
    for (const [, file] of SIDES) {
      const r = run(file, input, [], shell);
      expect([r.status, r.signal]).toEqual([status, signal]);
    }
  });
});

/** Feeds a program piece by piece, waiting each time until what it wrote ends as expected. */
async function converse(file: string, steps: ReadonlyArray<readonly [string, string]>): Promise<string[]> {
  const child = spawn(file, [], { stdio: ['pipe', 'pipe', 'ignore'] });
  let seen = '';
  const seenAfter: string[] = [];
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (d: string) => {
    seen += d;
  });
  try {
    for (const [write, waitFor] of steps) {
      child.stdin.write(write);
      const deadline = Date.now() + 10000;
      while (!seen.replace(/@[0-9a-f]{24}/g, '@').endsWith(waitFor)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(waitFor)}; have ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      seenAfter.push(seen.replace(/@[0-9a-f]{24}/g, '@'));
    }
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    return seenAfter;
  } finally {
    child.kill('SIGKILL');
  }
}

describe.runIf(HAVE_C)('tai64n writes what it read before reading again', () => {
  const steps = [
    ['one\n', '@ one\n'],
    ['par', '@ par'],
    ['tial\nnext', 'tial\n@ next'],
    ['\n', 'next\n'],
  ] as const;
  test.each(SIDES)('%s', async (_side, file) => {
    expect(await converse(file, steps)).toEqual(['@ one\n', '@ one\n@ par', '@ one\n@ partial\n@ next', '@ one\n@ partial\n@ next\n']);
  });
});

describe.runIf(HAVE_C)('a reader that goes away', () => {
  /** Runs `prog` under sh with `setup`, its output read by `head -c 1`; prints prog's status. */
  function statusUnderHead(file: string, setup: string): string {
    const script = `${setup}; yes | { "$0"; echo "status $?" >&2; } | head -c 1 >/dev/null`;
    const r = spawnSync('/bin/sh', ['-c', script, file], { encoding: 'latin1', timeout: 20000 });
    return r.stderr
      .split('\n')
      .filter((l) => l.startsWith('status'))
      .join('\n');
  }
  test.each([
    ['killed by SIGPIPE', ':', 'status 141'],
    ['SIGPIPE ignored by the parent: the write fails, exit 111', 'trap "" PIPE', 'status 111'],
  ])('%s', (_name, setup, expected) => {
    for (const [, file] of SIDES) expect(statusUnderHead(file, setup)).toBe(expected);
  });
});

describe.runIf(HAVE_C)('the end of input', () => {
  // tai64n ends the moment its loop returns (cli/main.ts): all it read must be out by then, even
  // through a reader that lets the pipe fill first.
  test.each(SIDES)('%s: every line read is written, through a reader slower than it', (_side, file) => {
    const lines = 40000;
    const script = `awk 'BEGIN { for (i = 0; i < ${lines}; i++) print "line " i }' | "$0" | { sleep 0.3; wc -c; }`;
    const r = spawnSync('/bin/sh', ['-c', script, file], { encoding: 'latin1', timeout: 20000 });
    const input = Array.from({ length: lines }, (_, i) => `line ${i}\n`).join('').length;
    // Each line gains its stamp: '@', 24 hex digits and a space.
    expect(Number(r.stdout.trim())).toBe(input + lines * 26);
  });
});
