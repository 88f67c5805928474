import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EnvDirError, EnvValues, readEnvDir, readEnvFile } from '../../../src/lib/envdir.js';

describe('EnvValues', () => {
  test.each<[string, string, string | undefined]>([
    ['plain', 'hello', 'hello'],
    ['first line only', 'hello\nworld\n', 'hello'],
    ['trailing spaces and tabs cut', 'a b \t \t\nrest', 'a b'],
    ['leading blanks kept', '  a', '  a'],
    ['other trailing white space kept', 'a\r\n', 'a\r'],
    ['NUL reads as newline', 'a\0b', 'a\nb'],
    ['NUL after the cut is gone', 'a\nb\0', 'a'],
    ['empty file removes', '', undefined],
    ['a lone newline is the empty value', '\n', ''],
    ['blanks only is the empty value', ' \t ', ''],
  ])('%s', (_name, content, value) => {
    expect(new EnvValues().next(Buffer.from(content, 'latin1'))).toBe(value);
  });

  test('a vanished file before any other removes the variable', () => {
    expect(new EnvValues().next(null)).toBeUndefined();
  });

  test('a vanished file takes the previous value plus a newline, cut at its first line', () => {
    const values = new EnvValues();
    expect(values.next(Buffer.from('hello  \nx'))).toBe('hello');
    expect(values.next(null)).toBe('hello\n');
    expect(values.next(null)).toBe('hello');
    expect(values.next(null)).toBe('hello\n');
  });

  test('after a NUL-bearing value, a vanished file gets the text before the first NUL', () => {
    const values = new EnvValues();
    expect(values.next(Buffer.from('x\0y  \t\nzz'))).toBe('x\ny');
    expect(values.next(null)).toBe('x');
  });

  test('after an empty file, a vanished file removes too', () => {
    const values = new EnvValues();
    values.next(Buffer.from('abc'));
    expect(values.next(Buffer.alloc(0))).toBeUndefined();
    expect(values.next(null)).toBeUndefined();
  });
});

describe('reading files and directories', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'envdir-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('readEnvFile: whole contents, null when missing, error for a directory', () => {
    writeFileSync(join(dir, 'big'), 'x'.repeat(10000));
    expect(readEnvFile(join(dir, 'big'))?.length).toBe(10000);
    expect(readEnvFile(join(dir, 'missing'))).toBeNull();
    mkdirSync(join(dir, 'sub'));
    expect(() => readEnvFile(join(dir, 'sub'))).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });

  test('readEnvDir: one change per file, dotfiles skipped', () => {
    writeFileSync(join(dir, 'A'), 'one\n');
    writeFileSync(join(dir, 'B'), '');
    writeFileSync(join(dir, '.hidden'), 'no');
    writeFileSync(join(dir, 'C=D'), 'e');
    const changes = readEnvDir(dir);
    expect(new Map(changes)).toEqual(
      new Map<string, string | undefined>([
        ['A', 'one'],
        ['B', undefined],
        ['C=D', 'e'],
      ]),
    );
    expect(changes).toHaveLength(3);
  });

  test('readEnvDir: a dangling symlink reads as missing', () => {
    symlinkSync(join(dir, 'nowhere'), join(dir, 'LINK'));
    expect(readEnvDir(dir)).toEqual([['LINK', undefined]]);
  });

  test.each<[string, (d: string) => string, string]>([
    ['opendir', (d) => join(d, 'missing'), 'ENOENT'],
    ['opendir', (d) => (writeFileSync(join(d, 'f'), ''), join(d, 'f')), 'ENOTDIR'],
    ['read', (d) => (mkdirSync(join(d, 'sub')), d), 'EISDIR'],
  ])('readEnvDir fails at %s with %s', (stage, make, code) => {
    const target = make(dir);
    let caught: unknown;
    try {
      readEnvDir(target);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnvDirError);
    expect((caught as EnvDirError).stage).toBe(stage);
    expect((caught as EnvDirError).cause).toMatchObject({ code });
    if (stage === 'read') expect((caught as EnvDirError).entry).toBe('sub');
  });
});
