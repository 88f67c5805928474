// The command line a process shows (lib/proctitle.ts), each way of showing it tried in a Node
// process of its own, whose /proc/self/cmdline it then reads back.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { commandLine } from '../../../src/lib/proctitle.js';
import { ReachableCopies } from '../../helpers/reachable.js';

const ROOT = join(__dirname, '..', '..', '..');
const IS_ROOT = process.getuid?.() === 0;
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
// The unprivileged process loads dist/ and the addon: from a copy nobody can reach, if the checkout is not.
const copies = new ReachableCopies();
afterAll(() => copies.remove());

interface Seen {
  kind: string;
  /** /proc/self/cmdline before, right after showing, and after a write into the window, in hex. */
  before: string;
  shown: string;
  written: string;
}

/** Shows `svscan\0/dir\xe9\0` the way `how` says and writes "X" then a long run at its end. */
function show(how: string, prefix: readonly string[] = []): Seen {
  const root = prefix.length > 0 ? copies.packageRoot() : ROOT;
  const script = `
    const fs = require('fs');
    const p = require(${JSON.stringify(join(root, 'dist/lib/proctitle.js'))});
    const { native } = require(${JSON.stringify(join(root, 'dist/native/index.js'))});
    const cmdline = () => fs.readFileSync('/proc/self/cmdline').toString('hex');
    const bytes = p.commandLine([Buffer.from('svscan'), Buffer.from('2f646972e9', 'hex')]);
    const before = cmdline();
    const how = ${JSON.stringify(how)};
    const area = how === 'moved' ? p.movedArea(native(), bytes)
      : how === 'overwritten' ? p.overwrittenArea(bytes)
      : how === 'title' ? p.titleArea(bytes)
      : p.showCommandLine(native(), bytes);
    const shown = cmdline();
    area.write(7, Buffer.from('X'));
    area.write(10, Buffer.from('tail past the end'));
    process.stdout.write(JSON.stringify({ kind: area.kind, before, shown, written: cmdline() }));
  `;
  const [cmd, ...args] = [...prefix, process.execPath, '-e', script];
  const r = spawnSync(cmd!, args, { encoding: 'utf8', cwd: '/' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Seen;
}

const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');
const padded = (text: string, length: number): string => hex(text).padEnd(length, '0');

test('commandLine: each argument followed by a NUL', () => {
  expect(commandLine([Buffer.from('multilog'), Buffer.from('t'), Buffer.from('./main')])).toEqual(Buffer.from('multilog\0t\0./main\0'));
  expect(commandLine([Buffer.from('a'), Buffer.alloc(0)])).toEqual(Buffer.from('a\0\0'));
});

describe.runIf(process.platform === 'linux')('in a process of its own', () => {
  test.each([
    ['as root', []],
    ['as an unprivileged user', AS_NOBODY],
  ])('moved (prctl PR_SET_MM_MAP), %s: exactly the bytes, updated in place, never past the last NUL', (_who, prefix) => {
    if (prefix.length > 0 && !IS_ROOT) return;
    const seen = show('moved', prefix);
    expect(seen.kind).toBe('moved');
    expect(seen.shown).toBe(hex('svscan\0/dir\xe9\0'));
    expect(seen.written).toBe(hex('svscan\0Xdita\0'));
  });

  test.each([
    ['as root', []],
    ['as an unprivileged user', AS_NOBODY],
  ])('overwritten (/proc/self/mem), %s: the bytes, then NULs to the end of the original area', (_who, prefix) => {
    if (prefix.length > 0 && !IS_ROOT) return;
    const seen = show('overwritten', prefix);
    expect(seen.kind).toBe('overwritten');
    expect(seen.shown).toBe(padded('svscan\0/dir\xe9\0', seen.before.length));
    // The area is Node's longer command line: the long write goes on past C's end, not past the area's.
    const room = seen.before.length / 2 - 1;
    const written = Buffer.from(padded('svscan\0Xdir\xe9\0', seen.before.length), 'hex');
    Buffer.from('tail past the end').copy(written, 10, 0, room - 10);
    expect(seen.written).toBe(written.toString('hex'));
  });

  test('process.title: the text only, NULs as spaces, other bytes as ?', () => {
    const seen = show('title');
    expect(seen.kind).toBe('title');
    expect(Buffer.from(seen.shown, 'hex').toString('latin1')).toMatch(/^svscan \/dir\?\0*$/);
    expect(Buffer.from(seen.written, 'hex').toString('latin1')).toMatch(/^svscan Xdita\0*$/);
  });

  test('showCommandLine takes the best there is: here the moved area', () => {
    expect(show('best').kind).toBe('moved');
  });
});
