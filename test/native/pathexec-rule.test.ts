// djb's PATH retry rule has one TypeScript definition (src/lib/pathexec.ts: PATHEXEC_RULE,
// searchPath) and one C copy (native/exec.cc:exec_files, behind every chain's final execve). One
// table of PATH searches holds both to what C envdir (pathexec_run.c) does: each row is a PATH of
// directories, each making its `prog` fail as execve fails (or run), and what the search ends in.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { errnoName } from '../../src/lib/errors.js';
import { errorWords } from '../../src/lib/error-str.js';
import { EXECVP_RULE, PATHEXEC_RULE, pathStep, searchPath } from '../../src/lib/pathexec.js';
import { native } from '../../src/native/index.js';
import { HAVE_C, ours, theirs } from '../helpers/paths.js';

/** What `dir/prog` is, and the execve error it gives (Linux). */
type Kind = 'missing' | 'unexecutable' | 'directory' | 'under a file' | 'no program' | 'a loop' | 'runs';
type Outcome = { readonly ran: number } | { readonly code: string; readonly index: number };

const root = mkdtempSync(join(tmpdir(), 'dt-pathexec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let rows = 0;

/** The PATH directories for `kinds`, made afresh. */
function layout(kinds: readonly Kind[]): string[] {
  const base = join(root, String(rows++));
  mkdirSync(base);
  return kinds.map((kind, i) => {
    const dir = join(base, `d${i}`);
    const prog = join(dir, 'prog');
    if (kind === 'under a file') {
      writeFileSync(dir, '');
      return dir;
    }
    mkdirSync(dir);
    if (kind === 'unexecutable') writeFileSync(prog, `#!/bin/sh\necho ran ${i}\n`, { mode: 0o644 });
    else if (kind === 'directory') mkdirSync(prog);
    else if (kind === 'no program') writeFileSync(prog, Buffer.from([0, 1, 2, 3, 0xff, 0xfe]), { mode: 0o755 });
    else if (kind === 'a loop') symlinkSync('prog', prog);
    else if (kind === 'runs') writeFileSync(prog, `#!/bin/sh\necho ran ${i}\n`, { mode: 0o755 });
    chmodSync(dir, 0o755);
    return dir;
  });
}

const TABLE: ReadonlyArray<readonly [readonly Kind[], Outcome]> = [
  [['runs'], { ran: 0 }],
  [['missing', 'runs'], { ran: 1 }],
  [['unexecutable', 'runs'], { ran: 1 }],
  [['directory', 'missing', 'runs'], { ran: 2 }],
  [['missing', 'missing'], { code: 'ENOENT', index: 0 }],
  [['unexecutable', 'missing'], { code: 'EACCES', index: 0 }],
  [['missing', 'directory', 'missing'], { code: 'EACCES', index: 1 }],
  [['under a file', 'runs'], { code: 'ENOTDIR', index: 0 }],
  [['missing', 'no program', 'runs'], { code: 'ENOEXEC', index: 1 }],
  [['unexecutable', 'a loop', 'runs'], { code: 'ELOOP', index: 1 }],
];
const named = TABLE.map(([kinds, outcome]) => [kinds.join(', '), kinds, outcome] as const);

test.each([
  ['ENOENT', 'skip'],
  ['EACCES', 'remember'],
  ['EPERM', 'remember'],
  ['EISDIR', 'remember'],
  ['ENOTDIR', 'stop'],
  ['ENOEXEC', 'stop'],
  ['ELOOP', 'stop'],
  ['E2BIG', 'stop'],
])('pathexec_run after %s: %s', (code, step) => {
  expect(pathStep(code, PATHEXEC_RULE)).toBe(step);
});

test.each([
  ['ENOENT', 'skip'],
  ['EACCES', 'remember'],
  ['EPERM', 'stop'],
  ['ENOEXEC', 'stop'],
])('execvp (svscanboot) after %s: %s', (code, step) => {
  expect(pathStep(code, EXECVP_RULE)).toBe(step);
});

describe('a PATH search', () => {
  const n = native();

  test.each(named)('TypeScript (searchPath over spawn): %s', (_what, kinds, outcome) => {
    const files = layout(kinds).map((d) => join(d, 'prog'));
    let ran = -1;
    const failed = searchPath(files, (file, index) => {
      const r = n.spawn(file, [file], [], { ignore: [], mask: [], rlimits: [], fds: [] });
      n.waitpid(r.pid, 0);
      if (r.execErrno !== 0) return errnoName(r.execErrno);
      ran = index;
      return null;
    });
    expect(failed ?? { ran }).toEqual(outcome);
  });

  /** envdir's end: `ran N` on stdout, or its fatal message. */
  const expected = (outcome: Outcome, prog: string): { stdout: string; stderr: string } =>
    'ran' in outcome
      ? { stdout: `ran ${outcome.ran}\n`, stderr: '' }
      : { stdout: '', stderr: `${prog}: fatal: unable to run prog: ${errorWords({ code: outcome.code })}\n` };

  const programs = [['C (native/exec.cc, behind our envdir)', ours('envdir')], ...(HAVE_C ? [['C envdir itself', theirs('envdir')]] : [])];
  describe.each(programs)('%s', (_what, envdir) => {
    test.each(named)('%s', (_w, kinds, outcome) => {
      const path = layout(kinds).join(':');
      const env = join(root, `env${rows}`);
      mkdirSync(env);
      const r = spawnSync(envdir!, [env, 'prog'], { env: { PATH: path }, encoding: 'latin1' });
      expect({ stdout: r.stdout, stderr: r.stderr }).toEqual(expected(outcome, 'envdir'));
    });
  });
});
