// supervise/owner: the record that proves, after a supervisor died, which process is its ./run.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  beginOwner,
  bootId,
  decodeOwner,
  encodeOwner,
  finishOwner,
  forgetOwner,
  isRunning,
  ownerOf,
  procStart,
  readOwner,
  writeOwner,
  type Owner,
} from '../../../../src/lib/supervise/owner.js';
import { native } from '../../../../src/native/index.js';
import { TAI_EPOCH, type Stamp } from '../../../../src/lib/status.js';

const STAMP: Stamp = { seconds: TAI_EPOCH + 1700000000n, nanoseconds: 123456500 };
const BOOT = '00000000-1111-2222-3333-444444444444'; // no machine's
const OWNER: Owner = { pid: 4242, ticks: 987654321n, boot: BOOT, stamp: STAMP };

describe('the file', () => {
  test('is four lines: pid, start ticks, boot id, TAI64N stamp', () => {
    expect(encodeOwner(OWNER)).toBe(`pid 4242\nstart 987654321\nboot ${BOOT}\nstamp @400000006553f10a075bcbf4\n`);
  });

  test.each<[string, Owner]>([
    ['a full record', OWNER],
    ['no start time or boot (not Linux)', { ...OWNER, ticks: null, boot: null }],
    ['the largest pid', { ...OWNER, pid: 4194304 }],
    ['pid 0 (a down service)', { ...OWNER, pid: 0, ticks: null }],
  ])('reads back %s', (_name, owner) => {
    expect(decodeOwner(encodeOwner(owner))).toEqual(owner);
  });

  test.each([
    ['empty', ''],
    ['no stamp', `pid 1\nstart 2\nboot ${BOOT}\n`],
    ['pid 00', `pid 00\nstart 2\nboot ${BOOT}\nstamp @400000006553f10a075bcbf4\n`],
    ['a negative start', `pid 1\nstart -2\nboot ${BOOT}\nstamp @400000006553f10a075bcbf4\n`],
    ['a short stamp', `pid 1\nstart 2\nboot ${BOOT}\nstamp @4000\n`],
    ['C status bytes', '\x40\x00\x00\x00\x65\x53\xf1\x00\x07\x58\xf5\x64\x01\x00\x00\x00\x00u'],
  ])('rejects %s', (_name, text) => {
    expect(decodeOwner(text)).toBeNull();
  });
});

describe('on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dt-owner-'));
    mkdirSync(join(dir, 'supervise'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('written by way of owner.new, read, and forgotten', () => {
    expect(writeOwner(dir, OWNER)).toBeNull();
    expect(readFileSync(join(dir, 'supervise', 'owner'), 'latin1')).toBe(encodeOwner(OWNER));
    expect(() => readFileSync(join(dir, 'supervise', 'owner.new'))).toThrow(/ENOENT/);
    expect(readOwner(dir)).toEqual(OWNER);
    forgetOwner(dir);
    expect(readOwner(dir)).toBeNull();
    forgetOwner(dir); // twice is harmless
  });

  test.each<[string, string | null, string | null, Owner | null]>([
    ['owner alone', null, encodeOwner(OWNER), OWNER],
    ['a complete owner.new (killed before the rename) is newer', encodeOwner({ ...OWNER, pid: 77 }), encodeOwner(OWNER), { ...OWNER, pid: 77 }],
    ['an empty owner.new (killed before the write) is no record', '', encodeOwner(OWNER), OWNER],
    ['a complete owner.new alone', encodeOwner(OWNER), null, OWNER],
    ['neither', null, null, null],
  ])('read: %s', (_name, temp, final, expected) => {
    if (temp !== null) writeFileSync(join(dir, 'supervise', 'owner.new'), temp);
    if (final !== null) writeFileSync(join(dir, 'supervise', 'owner'), final);
    expect(readOwner(dir)).toEqual(expected);
    forgetOwner(dir);
    expect(readOwner(dir)).toBeNull();
  });

  test('begun before the spawn, finished after it', () => {
    writeOwner(dir, OWNER);
    const fd = beginOwner(dir);
    expect(typeof fd).toBe('number');
    expect(readOwner(dir)).toEqual(OWNER); // owner.new is empty meanwhile
    expect(finishOwner(dir, fd as number, { ...OWNER, pid: 5 })).toBeNull();
    expect(readOwner(dir)).toEqual({ ...OWNER, pid: 5 });
    expect(() => readFileSync(join(dir, 'supervise', 'owner.new'))).toThrow(/ENOENT/);
  });

  test('a write that fails is a problem, named', () => {
    rmSync(join(dir, 'supervise'), { recursive: true });
    expect(writeOwner(dir, OWNER)).toMatchObject({ kind: 'owner', error: { code: 'ENOENT' } });
  });

  test.each<[string, (file: string) => void]>([
    ['writable by others', (file) => chmodSync(file, 0o666)],
    ['writable by its group', (file) => chmodSync(file, 0o664)],
    ['a second link to it', (file) => linkSync(file, `${file}.link`)],
    ['a symbolic link', (file) => {
      renameSync(file, `${file}.real`);
      symlinkSync(`${file}.real`, file);
    }],
    ...(process.getuid?.() === 0 ? [['another user\'s', (file: string) => chownSync(file, 65534, 65534)] as [string, (file: string) => void]] : []),
  ])('a record file %s reads as no record: someone else may have written it', (_name, spoil) => {
    writeOwner(dir, OWNER);
    expect(readOwner(dir)).toEqual(OWNER);
    spoil(join(dir, 'supervise', 'owner'));
    expect(readOwner(dir)).toBeNull();
  });

  test('a garbled file reads as no record', () => {
    writeFileSync(join(dir, 'supervise', 'owner'), 'pid 12\n');
    expect(readOwner(dir)).toBeNull();
  });
});

describe('identity', () => {
  test('field 22 of /proc/PID/stat, even behind a command name with spaces and parentheses', () => {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const ticks = BigInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!);
    expect(procStart(process.pid)).toEqual({ ticks, zombie: false });
    // A child named "a) b (" : the name must not shift the fields.
    const r = spawnSync('sh', ['-c', 'cp /bin/sleep "/tmp/a) b (" && "/tmp/a) b (" 0.3 & p=$!; sleep 0.1; cat /proc/$p/stat; wait; rm -f "/tmp/a) b ("']);
    const child = r.stdout.toString('latin1');
    expect(child).toContain('(a) b ()');
    expect(child.slice(child.lastIndexOf(')') + 2).split(' ')[0]).toBe('S');
  });

  test('no such process', () => {
    expect(procStart(0x7ffffff0)).toBeNull();
  });

  test('this boot has an id', () => {
    expect(bootId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test.each<[string, (self: Owner) => Owner, boolean]>([
    ['the very process', (o) => o, true],
    ['the pid with another start time (reused)', (o) => ({ ...o, ticks: o.ticks! + 1n }), false],
    ['another boot', (o) => ({ ...o, boot: BOOT }), false],
    ['no start time recorded', (o) => ({ ...o, ticks: null }), false],
    ['a pid nobody has', (o) => ({ ...o, pid: 0x7ffffff0 }), false],
    ['pid 0 (nothing ran)', (o) => ({ ...o, pid: 0 }), false],
  ])('running: %s', (_name, change, expected) => {
    expect(isRunning(change(ownerOf(process.pid, STAMP)))).toBe(expected);
  });

  test('an ended process not yet reaped (a zombie) is not running', async () => {
    const n = native();
    const { pid } = n.spawn('/bin/true', ['true'], [], { ignore: [], mask: [], rlimits: [], fds: [] });
    try {
      const owner = ownerOf(pid, STAMP);
      for (let i = 0; i < 200 && procStart(pid)?.zombie !== true; i++) await new Promise((r) => setTimeout(r, 10));
      expect(procStart(pid)).toEqual({ ticks: owner.ticks, zombie: true });
      expect(isRunning(owner)).toBe(false);
    } finally {
      n.waitpid(pid, 0);
    }
  });
});
