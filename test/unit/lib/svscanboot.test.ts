import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { envFailure, findCommand, localeIsUtf8, svcArguments, TITLE_ARGS } from '../../../src/lib/svscanboot.js';

const root = mkdtempSync(join(tmpdir(), 'dt-svscanboot-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, paths: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const p of paths) {
    if (p.endsWith('/')) mkdirSync(join(dir, p), { recursive: true });
    else if (p.includes(' -> ')) {
      const [link, target] = p.split(' -> ');
      symlinkSync(target!, join(dir, link!));
    } else {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), '');
    }
  }
  return dir;
}

test.each<[string, string[], (d: string) => string[]]>([
  ['no such directory: the patterns themselves', [], (d) => ['-dx', `${d}/*`, `${d}/*/log`]],
  ['only hidden entries: the patterns themselves', ['.keep', '.svc/log/'], (d) => ['-dx', `${d}/*`, `${d}/*/log`]],
  [
    'services sorted by bytes, logs of those that have one',
    ['b/', 'a/log/', 'B/', 'c/log', '.hidden/log/'],
    (d) => ['-dx', `${d}/B`, `${d}/a`, `${d}/b`, `${d}/c`, `${d}/a/log`, `${d}/c/log`],
  ],
  ['a symlinked service is looked into', ['real/log/', 'link -> real'], (d) => ['-dx', `${d}/link`, `${d}/real`, `${d}/link/log`, `${d}/real/log`]],
  ['logs sorted as whole paths', ['a/log/', 'a-b/log/'], (d) => ['-dx', `${d}/a`, `${d}/a-b`, `${d}/a-b/log`, `${d}/a/log`]],
  ['a dangling log symlink still counts (lstat)', ['s/', 's/log -> nowhere'], (d) => ['-dx', `${d}/s`, `${d}/s/log`]],
])('svc arguments: %s', (name, paths, expected) => {
  const dir = paths.length === 0 ? join(root, 'missing') : tree(name.replace(/\W/g, '_'), paths);
  expect(svcArguments(dir)).toEqual(expected(dir));
});

test('findCommand takes the first PATH entry with a regular file; empty means "."', () => {
  const files = new Set(['/b/svc', './svc']);
  expect(findCommand('svc', '/a:/b:', (f) => files.has(f))).toBe('/b/svc');
  expect(findCommand('svc', '/a::/b', (f) => files.has(f))).toBe('./svc');
  expect(findCommand('svc', '/a', (f) => files.has(f))).toBeNull();
});

test.each<[string, boolean, string, number]>([
  ['ENOENT', false, "env: 'svscan': No such file or directory\n", 127],
  ['ENOENT', true, 'env: \u2018svscan\u2019: No such file or directory\n', 127],
  ['EACCES', false, "env: 'svscan': Permission denied\n", 126],
])('env failure %s (utf8 %s)', (code, utf8, text, status) => {
  expect(envFailure('svscan', code, utf8)).toEqual({ text, status });
});

test.each<[Record<string, string>, boolean]>([
  [{}, false],
  [{ LANG: 'C.UTF-8' }, true],
  [{ LANG: 'C.utf8' }, true],
  [{ LANG: 'C' }, false],
  [{ LANG: 'C.UTF-8', LC_ALL: 'C' }, false],
  [{ LANG: 'C', LC_CTYPE: 'C.UTF-8' }, true],
  [{ LANG: 'xx_YY.UTF-8' }, false], // not installed
])('locale %j writes UTF-8: %s', (env, utf8) => {
  expect(localeIsUtf8(env, () => false)).toBe(utf8);
});

test('readproctitle gets 400 dots', () => {
  expect(TITLE_ARGS.slice(0, 2)).toEqual(['service', 'errors:']);
  expect(TITLE_ARGS[2]).toMatch(/^\.{400}$/);
});
