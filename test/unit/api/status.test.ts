// readStatus against real supervise directories run by C's supervise: every field agrees with
// what C's svstat prints for the same directory, and `since` with C's tai64nlocal.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DaemontoolsError } from '../../../src/api/errors.js';
import { sendCommand, type ServiceCommand } from '../../../src/api/control.js';
import { readStatus, readStatusSync, type ServiceStatus } from '../../../src/api/status.js';
import { waitFor } from '../../../src/api/watch.js';
import { TAI_EPOCH } from '../../../src/lib/status.js';
import { C_BIN } from '../../helpers/paths.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from './fixture.js';

afterEach(cleanup);

const READERS = [
  ['readStatus', (dir: string) => readStatus(dir)],
  ['readStatusSync', async (dir: string) => readStatusSync(dir)],
] as const;

/** svstat's line for a status, with the seconds left out (they may tick between the two reads). */
function svstatLine(s: ServiceStatus): string {
  let line = s.up ? `up (pid ${s.pid}) S seconds` : 'down S seconds';
  if (s.up && !s.normallyUp) line += ', normally down';
  if (!s.up && s.normallyUp) line += ', normally up';
  if (s.up && s.paused) line += ', paused';
  if (!s.up && s.want === 'up') line += ', want up';
  if (s.up && s.want === 'down') line += ', want down';
  return line;
}

function cSvstat(dir: string): string {
  const out = execFileSync(join(C_BIN, 'svstat'), [dir], { encoding: 'utf8' });
  return out.slice(dir.length + 2).trimEnd().replace(/\) \d+ seconds|^down \d+ seconds/, (m) => m.replace(/\d+/, 'S'));
}

interface Case {
  readonly name: string;
  readonly down: boolean;
  readonly commands: readonly ServiceCommand[];
  readonly until: (s: ServiceStatus) => boolean;
  readonly expected: Partial<ServiceStatus>;
}

const CASES: readonly Case[] = [
  { name: 'normally up, running', down: false, commands: [], until: (s) => s.up, expected: { up: true, normallyUp: true, want: 'up', paused: false } },
  { name: 'normally down, not started', down: true, commands: [], until: () => true, expected: { up: false, pid: null, normallyUp: false, want: 'down' } },
  { name: 'normally up, taken down', down: false, commands: ['down'], until: (s) => !s.up, expected: { up: false, pid: null, normallyUp: true, want: 'down' } },
  { name: 'normally down, brought up', down: true, commands: ['up'], until: (s) => s.up, expected: { up: true, normallyUp: false, want: 'up' } },
  { name: 'paused', down: false, commands: ['pause'], until: (s) => s.paused, expected: { up: true, paused: true, want: 'up' } },
  { name: 'started once', down: true, commands: ['once'], until: (s) => s.up, expected: { up: true, want: 'none', normallyUp: false } },
  { name: 'up, then told down while paused', down: false, commands: ['pause', 'down'], until: (s) => !s.up, expected: { up: false, paused: false, want: 'down' } },
];

describe.skipIf(!HAVE_C)('readStatus on directories run by C supervise', () => {
  test.each(CASES.flatMap((c) => READERS.map(([reader, read]) => ({ ...c, reader, read }))))(
    '$name ($reader)',
    async ({ down, commands, until, expected, read }) => {
      const dir = makeService(join(tempRoot(), 'svc'), { down });
      await startC(dir);
      if (commands.length > 0) sendCommand(dir, ...commands);
      await waitFor(dir, until, { timeout: 10000 });
      const status = await read(dir);
      expect(status).toMatchObject({ dir, ...expected });
      expect(svstatLine(status)).toBe(cSvstat(dir));
      if (status.up) expect(status.pid).toBeGreaterThan(0);
    },
  );

  test('since is the stamp C supervise wrote, as C tai64nlocal reads it', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    await startC(dir);
    const status = await waitFor(dir, 'up', { timeout: 10000 });
    const raw = readFileSync(join(dir, 'supervise', 'status'));
    const label = `@${raw.subarray(0, 12).toString('hex')}\n`;
    const local = execFileSync(join(C_BIN, 'tai64nlocal'), { input: label, encoding: 'utf8', env: { TZ: 'UTC' } });
    // tai64nlocal: "YYYY-MM-DD HH:MM:SS.nnnnnnnnn"; a Date keeps milliseconds.
    const iso = `${local.slice(0, 10)}T${local.slice(11, 23)}Z`;
    expect(status.since.toISOString()).toBe(iso);
  });

  test.each([
    ['an hour ago', -3600],
    ['in the future', 3600],
  ])('seconds for a stamp %s agree with C svstat', async (_name, offset) => {
    const dir = makeService(join(tempRoot(), 'svc'));
    mkdirSync(join(dir, 'supervise'));
    execFileSync('mkfifo', [join(dir, 'supervise', 'ok')]);
    const status = Buffer.alloc(18);
    status.writeBigUInt64BE(TAI_EPOCH + BigInt(Math.floor(Date.now() / 1000) + offset), 0);
    status.writeUInt32LE(4321, 12);
    status[17] = 0x75;
    writeFileSync(join(dir, 'supervise', 'status'), status);
    const reader = openSync(join(dir, 'supervise', 'ok'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const ours = readStatusSync(dir);
      const c = Number(/(\d+) seconds/.exec(execFileSync(join(C_BIN, 'svstat'), [dir], { encoding: 'utf8' }))![1]);
      expect(ours).toMatchObject({ up: true, pid: 4321 });
      // The two reads may straddle a second.
      expect(c - ours.seconds).toBeGreaterThanOrEqual(0);
      expect(c - ours.seconds).toBeLessThanOrEqual(1);
      if (offset > 0) expect(ours.seconds).toBe(0);
    } finally {
      closeSync(reader);
    }
  });
});

describe('readStatus errors', () => {
  test.each(READERS)('a missing directory is ERR_SYSTEM with ENOENT (%s)', async (_name, read) => {
    const dir = join(tempRoot(), 'nowhere');
    const err = await read(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemontoolsError);
    expect(err).toMatchObject({ code: 'ERR_SYSTEM', systemCode: 'ENOENT', service: dir });
  });

  test.each(READERS)('a directory never supervised is ERR_NOT_SUPERVISED (%s)', async (_name, read) => {
    const dir = makeService(join(tempRoot(), 'svc'));
    await expect(read(dir)).rejects.toMatchObject({ code: 'ERR_NOT_SUPERVISED', service: dir });
  });

  test.each(READERS)('a status file with no supervise behind it is ERR_NOT_SUPERVISED (%s)', async (_name, read) => {
    const dir = makeService(join(tempRoot(), 'svc'));
    mkdirSync(join(dir, 'supervise'));
    execFileSync('mkfifo', [join(dir, 'supervise', 'ok')]);
    writeFileSync(join(dir, 'supervise', 'status'), Buffer.alloc(18));
    await expect(read(dir)).rejects.toMatchObject({ code: 'ERR_NOT_SUPERVISED' });
  });

  test.each(READERS)('a short status file is ERR_BAD_STATUS (%s)', async (_name, read) => {
    const dir = makeService(join(tempRoot(), 'svc'));
    mkdirSync(join(dir, 'supervise'));
    execFileSync('mkfifo', [join(dir, 'supervise', 'ok')]);
    writeFileSync(join(dir, 'supervise', 'status'), Buffer.alloc(17));
    // Someone reads supervise/ok, as supervise does.
    const reader = openSync(join(dir, 'supervise', 'ok'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      await expect(read(dir)).rejects.toMatchObject({ code: 'ERR_BAD_STATUS' });
    } finally {
      closeSync(reader);
    }
  });

  test.each(READERS)('an empty name is ERR_INVALID_ARG (%s)', async (_name, read) => {
    await expect(read('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});
