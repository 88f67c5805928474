// softlimit against C softlimit: usage and getopt's complaints, every option, "=", clamping to
// the hard limit, and the limits reaching the program while this Node process never runs under them.
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT, Sandbox, type Outcome } from './chain-golden.js';

const box = new Sandbox();
afterAll(() => box.remove());

const PROBE = join(ROOT, 'test', 'fixtures', 'bin', 'probe');
const HOSTILE = join(ROOT, 'test', 'fixtures', 'bin', 'hostile');
const USAGE =
  'softlimit: usage: softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] [-t cpusecs] child\n';

/** The probe's rlimit lines only: `rlimit <resource> <soft> <hard>`. */
const limits = (probeOutput: string): string =>
  probeOutput
    .split('\n')
    .filter((line) => line.startsWith('rlimit '))
    .join('\n');

/** Linux resource numbers, as the probe prints them. */
const R = { CPU: 0, FSIZE: 1, DATA: 2, STACK: 3, CORE: 4, RSS: 5, NPROC: 6, NOFILE: 7, MEMLOCK: 8, AS: 9 };

function same(argv: string[]): { c: Outcome; ours: Outcome } {
  const result = box.both(argv);
  expect(result.ours).toEqual(result.c);
  return result;
}

test.each<[string, string[], string]>([
  ['no arguments', ['softlimit'], USAGE],
  ['options but no child', ['softlimit', '-m', '100'], USAGE],
  ['unknown option', ['softlimit', '-x', '1', 'true'], `softlimit: illegal option -- x\n${USAGE}`],
  ['unknown option after a good one', ['softlimit', '-m1', '-z', 'true'], `softlimit: illegal option -- z\n${USAGE}`],
  ['missing argument', ['softlimit', '-m'], `softlimit: option requires an argument -- m\n${USAGE}`],
  ['number with a suffix', ['softlimit', '-m', '10k', 'true'], USAGE],
  ['negative number', ['softlimit', '-o', '-1', 'true'], USAGE],
  ['"=" with more', ['softlimit', '-o', '=5', 'true'], USAGE],
  ['bad number before an unknown option: no getopt message', ['softlimit', '-o', 'x', '-y', 'true'], USAGE],
])('usage: %s', (_name, argv, stderr) => {
  const { c } = same(argv);
  expect(c).toMatchObject({ stdout: '', stderr, status: 100 });
});

test.each<[string, string[], string]>([
  ['missing program', ['softlimit', '-o', '50', 'no-such-program'], 'softlimit: fatal: unable to run no-such-program: file does not exist\n'],
  ['a directory', ['softlimit', '/tmp'], 'softlimit: fatal: unable to run /tmp: access denied\n'],
])('exec failure: %s', (_name, argv, stderr) => {
  const { c } = same(argv);
  expect(c).toMatchObject({ stderr, status: 111 });
});

test.each<[string, string[], Record<number, string>]>([
  ['-a', ['-a', '123456789'], { [R.AS]: '123456789' }],
  ['-c', ['-c', '0'], { [R.CORE]: '0' }],
  ['-d', ['-d', '200000000'], { [R.DATA]: '200000000' }],
  ['-f', ['-f', '4096'], { [R.FSIZE]: '4096' }],
  ['-l', ['-l', '65536'], { [R.MEMLOCK]: '65536' }],
  ['-m: data, stack, memlock and address space', ['-m', '300000000'], { [R.DATA]: '300000000', [R.AS]: '300000000' }],
  ['-o', ['-o', '64'], { [R.NOFILE]: '64' }],
  ['-p', ['-p', '50'], { [R.NPROC]: '50' }],
  ['-r', ['-r', '1000000'], { [R.RSS]: '1000000' }],
  ['-s', ['-s', '1000000'], { [R.STACK]: '1000000' }],
  ['-t', ['-t', '30'], { [R.CPU]: '30' }],
  ['attached arguments', ['-t5', '-o32'], { [R.CPU]: '5', [R.NOFILE]: '32' }],
  ['later options win', ['-o', '10', '-o', '20'], { [R.NOFILE]: '20' }],
  ['-m then -d', ['-m', '300000000', '-d', '100000000'], { [R.DATA]: '100000000', [R.AS]: '300000000' }],
  ['an empty argument is 0', ['-c', ''], { [R.CORE]: '0' }],
  ['a number past 2^64 wraps', ['-f', '18446744073709551617'], { [R.FSIZE]: '1' }],
  ['"--" ends the options', ['-o', '40', '--'], { [R.NOFILE]: '40' }],
])('%s', (_name, options, expected) => {
  const { c } = same(['softlimit', ...options, PROBE]);
  expect(c.status).toBe(0);
  for (const [resource, soft] of Object.entries(expected)) expect(c.stdout).toMatch(new RegExp(`^rlimit ${resource} ${soft} `, 'm'));
});

test('-o = raises the soft limit to the hard one; a bigger number is clamped to it', () => {
  const raised = same([HOSTILE, 'softlimit', '-o', '=', PROBE]);
  const clamped = same([HOSTILE, 'softlimit', '-o', '999999999999', PROBE]);
  const hard = /^rlimit 7 \d+ (\d+)$/m.exec(raised.c.stdout)![1];
  expect(raised.c.stdout).toContain(`rlimit 7 ${hard} ${hard}\n`);
  expect(limits(clamped.c.stdout)).toBe(limits(raised.c.stdout));
});

test('-m = sets every memory limit to its hard limit', () => {
  same(['softlimit', '-m', '=', PROBE]);
});

test('limits the parent left are kept for resources softlimit does not touch (hostile: NOFILE 200)', () => {
  const { c } = same([HOSTILE, 'softlimit', '-c', '0', PROBE]);
  expect(c.stdout).toMatch(/^rlimit 7 200 /m);
});

test('chained softlimits and the limit reaching a shell', () => {
  const { c } = same(['softlimit', '-o', '100', 'softlimit', '-o', '=', 'sh', '-c', 'ulimit -n; ulimit -Sd']);
  expect(c.stdout).toMatch(/^\d+\n/);
});

test('a limit too low for Node itself still reaches the program', () => {
  // Our chain never runs Node under the limit: 50 MB of address space would kill it at once.
  const { c } = same(['softlimit', '-a', '50000000', '-o', '5', PROBE]);
  expect(c.stdout).toMatch(/^rlimit 9 50000000 /m);
});
