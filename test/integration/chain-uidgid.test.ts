// setuidgid and envuidgid against the C tools: usage, unknown accounts, the credentials and
// variables the program gets, and a setuidgid that has already given up root.
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ReachableCopies } from '../helpers/reachable.js';
import { isRoot, ROOT, Sandbox, type Outcome } from './chain-golden.js';

const box = new Sandbox();
const copies = new ReachableCopies();
afterAll(() => {
  box.remove();
  copies.remove();
});

// Run as nobody after setuidgid: a copy where nobody can reach it, if the checkout is not.
const PROBE = copies.file(join(ROOT, 'test', 'fixtures', 'bin', 'probe'));

function same(argv: string[], env?: Record<string, string>): { c: Outcome; ours: Outcome } {
  const result = box.both(argv, { env });
  expect(result.ours).toEqual(result.c);
  return result;
}

/** The probe's line about one thing (`uid ...`, `groups ...`). */
const line = (out: string, key: string): string | undefined => out.split('\n').find((l) => l.startsWith(`${key} `));

describe.each(['setuidgid', 'envuidgid'])('%s', (tool) => {
  test('an account named by bytes that are not UTF-8 is named so', () => {
    const { c } = same(['/bin/sh', '-c', `exec ${tool} "$(printf 'u\\351')" true`]);
    expect(c).toMatchObject({ stdout: '', stderr: `${tool}: fatal: unknown account u\xe9\n`, status: 111 });
  });

  test.each<[string, string[], string, number]>([
    ['no arguments', [], `${tool}: usage: ${tool} account child\n`, 100],
    ['no child', ['nobody'], `${tool}: usage: ${tool} account child\n`, 100],
    ['unknown account', ['no-such-user-x', 'true'], `${tool}: fatal: unknown account no-such-user-x\n`, 111],
    ['empty account name', ['', 'true'], `${tool}: fatal: unknown account \n`, 111],
    ['program missing', ['root', 'no-such-program'], `${tool}: fatal: unable to run no-such-program: file does not exist\n`, 111],
    ['program a directory', ['root', '/tmp'], `${tool}: fatal: unable to run /tmp: access denied\n`, 111],
  ])('%s', (_name, args, stderr, status) => {
    const { c } = same([tool, ...args]);
    expect(c).toMatchObject({ stdout: '', stderr, status });
  });
});

describe('envuidgid', () => {
  test('sets GID then UID, replacing old values in environ order', () => {
    const { c } = same(['envuidgid', 'daemon', '/usr/bin/env'], { UID: 'x', A: 'a', GID: 'y', B: 'b' });
    expect(c.status).toBe(0);
    expect(c.stdout).toContain('UID=1\n');
    expect(c.stdout).toContain('GID=1\n');
  });

  test('does not change credentials', () => {
    const { c } = same(['envuidgid', 'nobody', PROBE]);
    expect(line(c.stdout, 'uid')).toBe(`uid ${process.getuid!()} euid ${process.geteuid!()} gid ${process.getgid!()} egid ${process.getegid!()}`);
  });
});

describe.runIf(isRoot)('setuidgid (as root)', () => {
  test('uid, gid and exactly one supplementary group', () => {
    const { c } = same(['setuidgid', 'nobody', PROBE]);
    expect(line(c.stdout, 'uid')).toBe('uid 65534 euid 65534 gid 65534 egid 65534');
    expect(line(c.stdout, 'groups')).toBe('groups 65534');
  });

  test('the program is looked up as the new user (a directory only root may enter)', () => {
    const { c } = same(['setuidgid', 'nobody', '/root/x']);
    expect(c).toMatchObject({ stderr: 'setuidgid: fatal: unable to run /root/x: access denied\n', status: 111 });
  });

  test('once the account is not root, a second setuidgid cannot setgid', () => {
    const { c } = same(['setuidgid', 'nobody', 'setuidgid', 'daemon', 'id']);
    expect(c).toMatchObject({ stdout: '', stderr: 'setuidgid: fatal: unable to setgid: permission denied\n', status: 111 });
  });

  test('not even to the same account again: setgroups needs privilege', () => {
    const { c } = same(['setuidgid', 'nobody', 'setuidgid', 'nobody', 'id']);
    expect(c).toMatchObject({ stdout: '', stderr: 'setuidgid: fatal: unable to setgid: permission denied\n', status: 111 });
  });

  test('setuidgid root, then setuidgid to another account: the second one wins', () => {
    const { c } = same(['setuidgid', 'root', 'setuidgid', 'nobody', PROBE]);
    expect(line(c.stdout, 'uid')).toBe('uid 65534 euid 65534 gid 65534 egid 65534');
    expect(line(c.stdout, 'groups')).toBe('groups 65534');
  });

  test('a program of ours the chain runs on in-process holds the account in every thread', () => {
    // fghack runs in setuidgid's process (a fused chain); its child reads that process's threads.
    const threads = "for t in /proc/$PPID/task/*; do grep -h '^Uid\\|^Gid\\|^Groups' $t/status | tr -s '\\t ' ' '; done | sort | uniq -c";
    const ours = box.run('ours', ['setuidgid', 'nobody', 'fghack', 'sh', '-c', threads]);
    expect(ours.status).toBe(0);
    const lines = ours.stdout.trim().split('\n').map((l) => l.trim().replace(/^\d+ /, ''));
    expect(lines.sort()).toEqual(['Gid: 65534 65534 65534 65534', 'Groups: 65534', 'Uid: 65534 65534 65534 65534']);
  });

  test('envuidgid then setuidgid, a fused chain', () => {
    const { c } = same(['envuidgid', 'daemon', 'setuidgid', 'nobody', 'sh', '-c', 'echo $UID $GID; id -u']);
    expect(c).toMatchObject({ stdout: '1 1\n65534\n', status: 0 });
  });
});
