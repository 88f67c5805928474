// envdir against C envdir: usage, every way of reading the directory failing, the value rules, and
// which PATH finds the program.
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { isRoot, Sandbox, type Outcome } from './chain-golden.js';

const box = new Sandbox();
afterAll(() => box.remove());

/** Makes directory `name` in the sandbox holding `files` (content string, or a symlink target). */
function envDir(name: string, files: Record<string, string | { link: string } | { dir: true }>): string {
  const dir = box.file(name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === 'string') writeFileSync(`${dir}/${file}`, content, 'latin1');
    else if ('link' in content) symlinkSync(content.link, `${dir}/${file}`);
    else mkdirSync(`${dir}/${file}`);
  }
  return name;
}

/** Prints each named variable as NAME=[value] or NAME unset, byte-exact. */
const show = (...names: string[]): string[] => [
  'sh',
  '-c',
  `for v in ${names.join(' ')}; do if printenv "$v" >/dev/null; then printf '%s=[%s]\\n' "$v" "$(printenv "$v"; echo .)"; else echo "$v unset"; fi; done`,
];

function expectSame(c: Outcome, ours: Outcome, expected: Partial<Outcome>): void {
  expect(c).toMatchObject(expected);
  expect(ours).toEqual(c);
}

describe('usage and failures', () => {
  envDir('E', { FOO: 'bar\n' });
  writeFileSync(box.file('plain'), 'x');
  test.each<[string, string[], Partial<Outcome>]>([
    ['no arguments', ['envdir'], { stderr: 'envdir: usage: envdir dir child\n', status: 111 }],
    ['no child', ['envdir', 'E'], { stderr: 'envdir: usage: envdir dir child\n', status: 111 }],
    [
      'missing directory',
      ['envdir', 'missing', 'true'],
      { stderr: 'envdir: fatal: unable to switch to directory missing: file does not exist\n', status: 111 },
    ],
    [
      'a file, not a directory',
      ['envdir', 'plain', 'true'],
      { stderr: 'envdir: fatal: unable to switch to directory plain: not a directory\n', status: 111 },
    ],
    [
      'empty directory name',
      ['envdir', '', 'true'],
      { stderr: 'envdir: fatal: unable to switch to directory : file does not exist\n', status: 111 },
    ],
    [
      'program not found on PATH',
      ['envdir', 'E', 'no-such-program-here'],
      { stderr: 'envdir: fatal: unable to run no-such-program-here: file does not exist\n', status: 111 },
    ],
    [
      'program path missing',
      ['envdir', 'E', '/nonexistent/prog'],
      { stderr: 'envdir: fatal: unable to run /nonexistent/prog: file does not exist\n', status: 111 },
    ],
    ['program is a directory', ['envdir', 'E', '/tmp'], { stderr: 'envdir: fatal: unable to run /tmp: access denied\n', status: 111 }],
    ['program not executable', ['envdir', 'E', './plain'], { stderr: 'envdir: fatal: unable to run ./plain: access denied\n', status: 111 }],
  ])('%s', (_name, argv, expected) => {
    const { c, ours } = box.both(argv);
    expectSame(c, ours, expected);
  });

  test('a sub-directory cannot be read', () => {
    envDir('S', { sub: { dir: true } });
    const { c, ours } = box.both(['envdir', 'S', 'true']);
    expectSame(c, ours, { stderr: 'envdir: fatal: unable to read S/sub: is a directory\n', status: 111 });
  });

  test('a dot-directory is skipped', () => {
    envDir('D', { '.sub': { dir: true }, A: 'a' });
    const { c, ours } = box.both(['envdir', 'D', ...show('A')]);
    expectSame(c, ours, { stdout: 'A=[a\n.]\n', status: 0 });
  });
});

describe.runIf(isRoot)('permissions (as nobody)', () => {
  test.each<[string, number, string]>([
    ['no search permission', 0o644, 'envdir: fatal: unable to switch to directory P: access denied\n'],
    ['no read permission', 0o311, 'envdir: fatal: unable to read directory P: access denied\n'],
  ])('%s', (_name, mode, stderr) => {
    envDir('P', { A: 'a' });
    chmodSync(box.file('P'), mode);
    const { c, ours } = box.both(['setuidgid', 'nobody', 'envdir', 'P', 'true']);
    expectSame(c, ours, { stderr, status: 111 });
  });

  test('an unreadable file', () => {
    envDir('Q', { A: 'a' });
    chmodSync(box.file('Q', 'A'), 0o200);
    const { c, ours } = box.both(['setuidgid', 'nobody', 'envdir', 'Q', 'true']);
    expectSame(c, ours, { stderr: 'envdir: fatal: unable to read Q/A: access denied\n', status: 111 });
  });

  test('an unreadable starting directory', () => {
    mkdirSync(box.file('start'), { recursive: true });
    envDir('R', { A: 'a' });
    chmodSync(box.file('R'), 0o755);
    chmodSync(box.file('start'), 0o311);
    const { c, ours } = box.both(['setuidgid', 'nobody', 'envdir', '../R', 'true'], { cwd: 'start' });
    expectSame(c, ours, { stderr: 'envdir: fatal: unable to switch to current directory: access denied\n', status: 111 });
  });
});

describe('values', () => {
  test('first line, blanks cut, NUL as newline, empty file removes, blank file is empty', () => {
    envDir('V', {
      PLAIN: 'value',
      LINES: 'first\nsecond\n',
      BLANKS: 'x \t \t\n',
      LEADING: '  y',
      NULS: 'a\0b\0c',
      EMPTY: '',
      NEWLINE: '\n',
      SPACES: '   ',
      HOME: '',
      '.DOT': 'hidden',
    });
    const names = ['PLAIN', 'LINES', 'BLANKS', 'LEADING', 'NULS', 'EMPTY', 'NEWLINE', 'SPACES', 'HOME', '.DOT'];
    const { c, ours } = box.both(['envdir', 'V', ...show(...names)], { env: { HOME: '/root', EMPTY: 'was set' } });
    expectSame(c, ours, {
      stdout: [
        'PLAIN=[value\n.]',
        'LINES=[first\n.]',
        'BLANKS=[x\n.]',
        'LEADING=[  y\n.]',
        'NULS=[a\nb\nc\n.]',
        'EMPTY unset',
        'NEWLINE=[\n.]',
        'SPACES=[\n.]',
        'HOME unset',
        '.DOT unset',
        '',
      ].join('\n'),
      status: 0,
    });
  });

  test('a file named with "=" sets the part before it, even when empty', () => {
    envDir('Q2', { 'K=V': '', 'L=M': 'n' });
    const { c, ours } = box.both(['envdir', 'Q2', ...show('K', 'L')], { env: { K: 'old', L: 'old' } });
    expectSame(c, ours, { stdout: 'K=[V\n.]\nL=[M=n\n.]\n', status: 0 });
  });

  test('dangling symlinks take the previous value, as C reuses its buffer', () => {
    const files: Record<string, string | { link: string }> = { F: 'x\0y  \t\nzz', A: 'hello' };
    for (const name of ['B', 'C', 'D', 'G', 'H']) files[name] = { link: 'nowhere' };
    envDir('L', files);
    const { c, ours } = box.both(['envdir', 'L', ...show('A', 'B', 'C', 'D', 'F', 'G', 'H')], { env: { B: 'b', C: 'c' } });
    expect(c.status).toBe(0);
    expect(ours).toEqual(c);
  });

  test('the whole environment, in order', () => {
    envDir('W', { NEW1: '1', PATH: '/nowhere', TERM: '', A: 'changed', NEW2: '2' });
    const { c, ours } = box.both(['envdir', 'W', '/usr/bin/env'], { env: { A: 'a', TERM: 'dumb', Z: 'z', B: 'b' } });
    expect(c.status).toBe(0);
    expect(c.stdout).toContain('PATH=/nowhere\n');
    expect(ours).toEqual(c);
  });

  test('the program is found on the PATH envdir was given, not the one it sets', () => {
    envDir('P2', { PATH: '/nowhere' });
    const { c, ours } = box.both(['envdir', 'P2', 'printenv', 'PATH']);
    expectSame(c, ours, { stdout: '/nowhere\n', status: 0 });
  });

  test('the program runs in the starting directory (relative directory argument)', () => {
    mkdirSync(box.file('sub', 'deeper'), { recursive: true });
    envDir('sub/deeper/E3', { A: 'a' });
    const { c, ours } = box.both(['envdir', 'deeper/E3', 'sh', '-c', 'pwd; echo $A'], { cwd: 'sub' });
    expectSame(c, ours, { stdout: '$T/sub\na\n', status: 0 });
  });

  test('names and values are bytes, whatever their encoding; a long value comes whole', () => {
    const dir = box.file(envDir('B8', { LONG: `${'x'.repeat(20000)}y \n` }));
    writeFileSync(Buffer.from(`${dir}/N\xe9`, 'latin1'), Buffer.from('v\xff\xc3\xa9\n', 'latin1'));
    writeFileSync(`${dir}/UTF8_\u00e9`, 'caf\u00e9');
    const { c, ours } = box.both(['envdir', 'B8', '/usr/bin/env']);
    expect(c.status).toBe(0);
    expect(c.stdout).toContain('N\xe9=v\xff\xc3\xa9\n');
    expect(c.stdout).toContain(`LONG=${'x'.repeat(20000)}y\n`);
    expect(ours).toEqual(c);
  });

  test('a directory named by bytes that are not UTF-8 is read, and names are written as bytes in errors', () => {
    mkdirSync(Buffer.from(box.file('D\xe9'), 'latin1'), { recursive: true });
    writeFileSync(Buffer.from(box.file('D\xe9', 'A'), 'latin1'), 'from bytes\n');
    const read = box.both(['/bin/sh', '-c', `exec envdir "$(printf 'D\\351')" sh -c 'echo $A'`]);
    expectSame(read.c, read.ours, { stdout: 'from bytes\n', status: 0 });
    const missing = box.both(['/bin/sh', '-c', `exec envdir "$(printf 'M\\351')" true`]);
    expectSame(missing.c, missing.ours, { stderr: 'envdir: fatal: unable to switch to directory M\xe9: file does not exist\n', status: 111 });
    const noProgram = box.both(['/bin/sh', '-c', `exec envdir "$(printf 'D\\351')" "$(printf './n\\351')"`]);
    expectSame(noProgram.c, noProgram.ours, { stderr: 'envdir: fatal: unable to run ./n\xe9: file does not exist\n', status: 111 });
  });

  test('a program named by bytes that are not UTF-8 runs', () => {
    envDir('B9', { A: 'a' });
    writeFileSync(Buffer.from(box.file('pr\xe9g'), 'latin1'), '#!/bin/sh\necho "ran $A"\n', { mode: 0o755 });
    const { c, ours } = box.both(['/bin/sh', '-c', `exec envdir B9 "$(printf './pr\\351g')"`]);
    expectSame(c, ours, { stdout: 'ran a\n', status: 0 });
  });

  test('chained envdirs apply in order', () => {
    envDir('X1', { A: '1', B: '1' });
    envDir('X2', { A: '2', C: '' });
    const { c, ours } = box.both(['envdir', 'X1', 'envdir', 'X2', ...show('A', 'B', 'C')], { env: { C: 'c' } });
    expectSame(c, ours, { stdout: 'A=[2\n.]\nB=[1\n.]\nC unset\n', status: 0 });
  });
});
