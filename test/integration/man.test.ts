// The man pages: one per program plus daemontools(1) and daemontools(7); each renders through
// man-db without a single troff warning, has a NAME line apropos can index, and refers only to
// pages that exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROGRAMS } from '../../src/cli/tools.js';
import { ROOT } from '../helpers/paths.js';

const MAN = join(ROOT, 'man');
const PAGES = readdirSync(MAN).filter((f) => /\.[17]$/.test(f)).sort();
const HAVE_MAN_DB = /man-db|man \d/.test(spawnSync('man', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const HAVE_LEXGROG = spawnSync('lexgrog', ['--version']).status === 0;

/** System pages ours may point to. */
const SYSTEM_PAGES = new Set(['setrlimit(2)', 'flock(2)', 'execve(2)', 'setsid(2)', 'ps(1)']);

test('a page for each of the seventeen programs, for the command, and the overview', () => {
  // (PROGRAMS may come to list the daemontools command itself.)
  expect(PAGES).toEqual([...new Set([...PROGRAMS.map((p) => `${p}.1`), 'daemontools.1', 'daemontools.7'])].sort());
});

describe.skipIf(!HAVE_MAN_DB)('rendering with man-db', () => {
  test.each(PAGES)('%s renders at 80 and 60 columns without warnings', (page) => {
    for (const width of ['80', '60']) {
      const r = spawnSync('man', ['-l', '--warnings', join(MAN, page)], { encoding: 'utf8', env: { ...process.env, MANWIDTH: width, MAN_KEEP_FORMATTING: '' } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^NAME$/m);
    }
  });
});

describe.skipIf(!HAVE_LEXGROG)('NAME sections', () => {
  test.each(PAGES)('%s: apropos can index it', (page) => {
    const name = page.replace(/\.\d$/, '');
    const r = spawnSync('lexgrog', [join(MAN, page)], { encoding: 'utf8' });
    expect(r.stdout).toMatch(new RegExp(`^${join(MAN, page)}: "${name} - \\S.*"\\n$`));
  });
});

test.each(PAGES)('%s: every page it refers to exists', (page) => {
  const text = readFileSync(join(MAN, page), 'utf8');
  const refs = [...text.matchAll(/^\.BR ([a-z0-9_-]+) \((\d)\)/gm)].map((m) => `${m[1]}(${m[2]})`);
  expect(refs.length).toBeGreaterThan(0);
  for (const ref of refs) {
    const [, name, section] = /^(.+)\((\d)\)$/.exec(ref)!;
    if (!SYSTEM_PAGES.has(ref)) expect(existsSync(join(MAN, `${name}.${section}`)), ref).toBe(true);
  }
});
