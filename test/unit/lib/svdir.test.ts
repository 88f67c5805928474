// The supervise/ directory as clients read and drive it: the down file, the ok probe, the status
// file (with svstat's shared-buffer quirk) and the control FIFO, against real files and FIFOs.
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { native } from '../../../src/native/index.js';
import { encodeStatus, TAI_EPOCH, type Status } from '../../../src/lib/status.js';
import { inDir, normallyUp, probeOk, readStatusFile, writeControl } from '../../../src/lib/svdir.js';

const root = mkdtempSync(join(tmpdir(), 'dt-svdir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const UP: Status = { stamp: { seconds: TAI_EPOCH + 100n, nanoseconds: 500 }, pid: 42, paused: true, want: 'down' };
const DOWN: Status = { stamp: { seconds: TAI_EPOCH + 200n, nanoseconds: 1500 }, pid: 0, paused: false, want: 'up' };

let serial = 0;
/** A service directory with supervise/ made and `files` written into it (relative names). */
function service(files: Record<string, string | Buffer> = {}): string {
  const dir = join(root, `s${++serial}`);
  mkdirSync(join(dir, 'supervise'), { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return dir;
}

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
};

test.each([
  ['.', 'supervise/ok', 'supervise/ok'],
  ['svc', 'supervise/ok', 'svc/supervise/ok'],
  ['/service/web', 'down', '/service/web/down'],
])('inDir(%s, %s) is %s', (dir, name, path) => {
  expect(inDir(dir, name)).toBe(path);
});

describe('normallyUp', () => {
  test.each([
    ['no down file', {}, true],
    ['a down file', { down: '' }, false],
  ])('%s', (_name, files, expected) => {
    expect(normallyUp(service(files))).toBe(expected);
  });

  test('an error other than ENOENT is thrown', () => {
    const dir = service();
    writeFileSync(join(dir, 'file'), '');
    expect(codeOf(() => normallyUp(join(dir, 'file')))).toBe('ENOTDIR');
  });
});

describe('probeOk', () => {
  test('no supervise/ok: ENOENT', () => {
    expect(codeOf(() => probeOk(service()))).toBe('ENOENT');
  });

  test('a FIFO nobody reads: ENXIO', () => {
    const dir = service();
    native().mkfifo(join(dir, 'supervise/ok'), 0o600);
    expect(codeOf(() => probeOk(dir))).toBe('ENXIO');
  });

  test('a FIFO held open to read: running', () => {
    const dir = service();
    native().mkfifo(join(dir, 'supervise/ok'), 0o600);
    const reader = openSync(join(dir, 'supervise/ok'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      expect(codeOf(() => probeOk(dir))).toBeUndefined();
    } finally {
      closeSync(reader);
    }
  });
});

describe('readStatusFile', () => {
  test.each<[string, Buffer, Status | null]>([
    ['18 bytes, up and paused', encodeStatus(UP), UP],
    ['18 bytes, down', encodeStatus(DOWN), DOWN],
    ['more than 18 bytes: the first 18', Buffer.concat([encodeStatus(DOWN), Buffer.from('extra')]), DOWN],
    ['fewer than 18 bytes: bad format', encodeStatus(UP).subarray(0, 17), null],
    ['empty', Buffer.alloc(0), null],
  ])('%s', (_name, bytes, expected) => {
    expect(readStatusFile(service({ 'supervise/status': bytes }))).toEqual(expected);
  });

  test('a missing file throws open\'s ENOENT', () => {
    let error: NodeJS.ErrnoException | undefined;
    try {
      readStatusFile(service());
    } catch (err) {
      error = err as NodeJS.ErrnoException;
    }
    expect([error?.code, error?.syscall]).toEqual(['ENOENT', 'open']);
  });

  test('a failed read throws, without a shared buffer', () => {
    const dir = service();
    mkdirSync(join(dir, 'supervise/status'));
    expect(codeOf(() => readStatusFile(dir))).toBe('EISDIR');
  });

  test("svstat's quirk: a failed read decodes what the shared buffer held before", () => {
    const shared = Buffer.alloc(18);
    expect(readStatusFile(service({ 'supervise/status': encodeStatus(UP) }), { sharedBuffer: shared })).toEqual(UP);
    const broken = service();
    mkdirSync(join(broken, 'supervise/status'));
    expect(readStatusFile(broken, { sharedBuffer: shared })).toEqual(UP);
    // A short read still overwrites the bytes it got, as svstat's read into its one buffer does.
    expect(readStatusFile(service({ 'supervise/status': encodeStatus(DOWN).subarray(0, 12) }), { sharedBuffer: shared })).toBeNull();
    expect(readStatusFile(broken, { sharedBuffer: shared })).toEqual({ ...UP, stamp: DOWN.stamp });
  });

  test('an open that fails still throws, with a shared buffer', () => {
    expect(codeOf(() => readStatusFile(service(), { sharedBuffer: Buffer.alloc(18) }))).toBe('ENOENT');
  });
});

describe('writeControl', () => {
  test('no supervise reading supervise/control: ENXIO', () => {
    const dir = service();
    native().mkfifo(join(dir, 'supervise/control'), 0o600);
    expect(codeOf(() => writeControl(dir, 'u'))).toBe('ENXIO');
  });

  test('the letters arrive in one write', () => {
    const dir = service();
    native().mkfifo(join(dir, 'supervise/control'), 0o600);
    const reader = openSync(join(dir, 'supervise/control'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      writeControl(dir, 'dx');
      const got = Buffer.alloc(8);
      expect(got.subarray(0, readSync(reader, got)).toString('latin1')).toBe('dx');
    } finally {
      closeSync(reader);
    }
  });
});
