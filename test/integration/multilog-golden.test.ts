// multilog against C multilog: every action, the directory layout and rotation points, restarts on
// directories left in every state, and every fatal error; same arguments, same input file, same
// place. Stamps cannot agree and are set aside (their form is checked in multilog-interop).
import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { native } from '../../src/native/index.js';
import { HAVE_C } from '../helpers/paths.js';
import { MATCH_CASES } from '../unit/lib/multilog/match-cases.js';
import { GoldenSandbox, mixedInput, type Case } from './multilog-golden.js';

const box = new GoldenSandbox();
afterAll(() => box.remove());

function expectSame(c: Case): void {
  const { c: theirs, ours } = box.both(c);
  expect(ours.stderr).toBe(theirs.stderr);
  expect({ status: ours.status, signal: ours.signal }).toEqual({ status: theirs.status, signal: theirs.signal });
  expect(ours.tree).toEqual(theirs.tree);
}

const LONG_LINES = [0, 1, 199, 200, 201, 973, 974, 975, 999, 1000, 1001, 1023, 1024, 1025, 5000, 8191, 8192, 9000, 20000]
  .map((n, i) => String.fromCharCode(97 + (i % 26)).repeat(n))
  .join('\n');

const INPUTS: Record<string, string | Buffer> = {
  lines: 'one\ntwo\nthree\n',
  partial: 'one\ntwo',
  empty: '',
  blank: '\n\n\n',
  long: `${LONG_LINES}\n`,
  'long, no last newline': LONG_LINES,
  binary: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256)),
  mixed: mixedInput(1, 200_000),
  'mixed, no last newline': mixedInput(9, 150_000, false),
};

const SCRIPTS: ReadonlyArray<readonly string[]> = [
  [],
  ['e'],
  ['t', 'e'],
  ['e', 'e'],
  ['e', 't'],
  ['-*', 'e'],
  ['-*', '+one', 'e'],
  ['+*', '-t*', 'e', '+three', 'e'],
  ['=st'],
  ['t', '=st', 'e', '=st2'],
  ['./d'],
  ['t', './d'],
  ['s4096', 'n3', './d'],
  ['t', 's4096', 'n5', './d'],
  ['s4096', 'n2', './d'],
  ['s5000', 'n100', './d', 's4096', './e'],
  // Stamps are hex: patterns that must not depend on them use letters past f.
  ['t', 'e', '-*', '+*o*', '=st', 's5000', './a', '+*', '-*w*', 's8000', 'n3', './b', '=st2', 'e'],
  ['t', '-*', '+@*', './all', '-@4*', './none', '+* t*', 'e'],
  ['s4096', 'n4', '!tr a-z A-Z', './p'],
  ['s4096', '!wc -c; echo x >&5; cat <&4 >&5', './q', '!', 'n3', './r'],
];

describe.skipIf(!HAVE_C)('multilog golden: scripts and inputs', () => {
  for (const args of SCRIPTS) {
    test.each(Object.keys(INPUTS))(`${JSON.stringify(args)} on %s input`, (name) => {
      expectSame({ args, input: INPUTS[name] });
    });
  }

  test('an absolute log directory', () => {
    expectSame({ args: ['t', 's4096', `${box.work}/abs`], input: INPUTS.mixed });
  });

  test("the processor's process state: limits, signals, descriptors, directory, environment", () => {
    const show = 'ulimit -a; grep -E "^Sig(Blk|Ign)" /proc/$$/status; ls /proc/$$/fd; pwd; env | grep -v ^_= | sort';
    expectSame({ args: ['s4096', `!cat; (${show}) >&2`, './p'], input: INPUTS.mixed });
  });

  test('a pattern in bytes that are not UTF-8, a directory named in UTF-8', () => {
    const input = Buffer.concat([Buffer.from('keep\ndrop '), Buffer.from([0xe9]), Buffer.from('\nkeep é\n')]);
    const shell = `exec "$0" "-*$(printf '\\351')*" ./logé`;
    const { c: theirs, ours } = box.both({ args: [], shell, input });
    expect(ours).toEqual(theirs);
    expect(ours.tree['logé/current']?.content).toBe(Buffer.from('keep\nkeep é\n').toString('latin1'));
  });

  test('odd numbers: s0, n0, wrapped s, and arguments that are no action', () => {
    expectSame({ args: ['s', 'n0', 'x', '', 'sss', './d', 's18446744073709556616', 'n1', './e'], input: INPUTS.mixed });
  });
});

describe.skipIf(!HAVE_C)('multilog golden: patterns (djb match)', () => {
  test.each(MATCH_CASES)('%j against %j', (pattern, line, matches) => {
    const c: Case = { args: ['-*', `+${pattern}`, 'e', '-*', `+${pattern}`, '=st'], input: `${line}\n` };
    const { c: theirs, ours } = box.both(c);
    expect(ours).toEqual(theirs);
    expect(theirs.stderr).toBe(matches ? `${line}\n` : '');
  });
});

/** Files (name, content, mode) put into ./d before the run. */
function inDir(files: ReadonlyArray<readonly [string, string, number]>): (work: string) => void {
  return (work) => {
    mkdirSync(join(work, 'd'));
    for (const [name, content, mode] of files) {
      writeFileSync(join(work, 'd', name), content);
      chmodSync(join(work, 'd', name), mode);
    }
  };
}

describe.skipIf(!HAVE_C)('multilog golden: starting on a directory left behind', () => {
  const STATES: Record<string, ReadonlyArray<readonly [string, string, number]>> = {
    'complete current': [['current', 'old\n', 0o744]],
    'complete current, over the size': [['current', `${'x'.repeat(5000)}\n`, 0o744]],
    'complete current, leftovers ignored': [
      ['current', 'old\n', 0o744],
      ['previous', 'p\n', 0o744],
      ['newstate', 'n', 0o644],
    ],
    'unfinished current': [['current', 'old\n', 0o644], ['state', 's', 0o644], ['newstate', 'n', 0o644]],
    'processed complete': [['processed', 'P\n', 0o744], ['previous', 'p\n', 0o744], ['current', 'c\n', 0o644]],
    'processed unfinished': [['processed', 'P\n', 0o644], ['previous', 'p\n', 0o744]],
    'previous only': [['previous', 'p\n', 0o744]],
    'too many old files': [
      ['@400000000000000000000001.s', '1\n', 0o744],
      ['@400000000000000000000002.s', '2\n', 0o744],
      ['@400000000000000000000003.u', '3\n', 0o744],
      ['@400000000000000000000004.s', '4\n', 0o744],
      ['@z', 'short name\n', 0o644],
      ['@zzzzzzzzzzzzzzzzzzzzzzzzzzz', 'after @z\n', 0o644],
      ['current', 'c\n', 0o644],
    ],
  };
  test.each(Object.keys(STATES))('%s', (state) => {
    expectSame({ args: ['s4096', 'n3', './d'], input: INPUTS.mixed, prepare: inDir(STATES[state]) });
  });

  test('processor on a directory left mid-processing', () => {
    expectSame({
      args: ['s4096', 'n3', '!cat; cat <&4 >&5', './d'],
      input: INPUTS.mixed,
      prepare: inDir([['processed', 'P\n', 0o744], ['previous', 'p\n', 0o744], ['state', 'old state\n', 0o644]]),
    });
  });
});

describe.skipIf(!HAVE_C)('multilog golden: fatal errors', () => {
  const file = (name: string, mode = 0o644) => (work: string) => {
    writeFileSync(join(work, name), 'x');
    chmodSync(join(work, name), mode);
  };
  test.each<[string, readonly string[], ((work: string) => void) | undefined]>([
    ['missing parent', ['./d/x'], undefined],
    ['a file, not a directory', ['./f'], file('f')],
    ['under a file', ['./f/x'], file('f')],
    ['empty status file name', ['='], undefined],
    ['status file is a directory', ['=./'], undefined],
    ['status file under a file', ['=f/x'], file('f')],
    ['status files first: before any directory is made', ['./d', '=f/x'], file('f')],
    ['second directory fails after the first was set up', ['./d', './f'], file('f')],
    ['current is a directory', ['./d'], (w) => mkdirSync(join(w, 'd', 'current'), { recursive: true })],
    ['the same directory twice: our own lock', ['./d', './d/../d'], undefined],
  ])('%s', (_name, args, prepare) => {
    expectSame({ args, input: 'one\n', prepare });
  });

  test('a locked directory: temporary failure', () => {
    const n = native();
    let fd = -1;
    expectSame({
      args: ['./d'],
      input: 'one\n',
      prepare: (work) => {
        mkdirSync(join(work, 'd'));
        fd = openSync(join(work, 'd', 'lock'), 'a');
        n.flock(fd, n.constants.LOCK_EX | n.constants.LOCK_NB);
      },
      after: () => closeSync(fd),
    });
  });
});
