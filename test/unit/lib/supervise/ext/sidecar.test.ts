// The sidecar's encoder, decoder and staleness check; the encoder's output checked against the
// JSON Schema shipped in the package, by a walker over the part of JSON Schema that file uses.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { TAI_EPOCH, type Status } from '../../../../../src/lib/status.js';
import {
  checkSidecar,
  decodeSidecar,
  encodeSidecar,
  formatStamp,
  makeSidecar,
  parseStamp,
  type Sidecar,
  type SidecarParts,
} from '../../../../../src/lib/supervise/ext/sidecar.js';
import { readSidecar, writeSidecar } from '../../../../../src/lib/supervise/ext/sidecar-file.js';
import { ROOT } from '../../../../helpers/paths.js';

const STATUS: Status = { stamp: { seconds: TAI_EPOCH + 1764590400n, nanoseconds: 123456500 }, pid: 4242, paused: false, want: 'up' };
const T = Date.UTC(2025, 11, 1, 12, 0, 0);

const PARTS: SidecarParts = {
  status: STATUS,
  state: 'starting',
  ready: false,
  readySince: null,
  statusText: null,
  dialect: 'sd-notify',
  mainPid: null,
  errno: null,
  normallyUp: true,
  starts: 3,
  deathsTotal: 2,
  lastExit: { code: null, signal: 'SIGKILL', at: T - 5000, uptimeMs: 1234, reason: 'watchdog' },
  deaths: [{ at: T - 9000, code: 1, signal: null }, { at: T - 5000, code: null, signal: 'SIGKILL' }],
  nextStartAt: null,
};

const SAMPLES: Array<[string, Sidecar]> = [
  ['starting after a watchdog kill', makeSidecar(PARTS)],
  ['up and ready with a status text', makeSidecar({ ...PARTS, state: 'up', ready: true, readySince: T, statusText: 'serving ✓', mainPid: 4243, errno: 0 })],
  ['backoff, nothing running', makeSidecar({ ...PARTS, status: { ...STATUS, pid: 0, want: 'up' }, state: 'backoff', nextStartAt: T + 4000 })],
  ['failed, want down, no dialect', makeSidecar({ ...PARTS, status: { ...STATUS, pid: 0, want: 'down' }, state: 'failed', dialect: null, lastExit: null, deaths: [] })],
  ['paused', makeSidecar({ ...PARTS, status: { ...STATUS, paused: true, want: 'none' }, state: 'up', ready: true, readySince: T })],
];

type Schema = Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'status.schema.json'), 'utf8')) as Schema;

/** Errors of `value` against `s`: the keywords status.schema.json uses, nothing more. */
function validate(value: unknown, s: Schema, at = '$'): string[] {
  if (typeof s.$ref === 'string') {
    const target = s.$ref.replace(/^#\//, '').split('/').reduce<unknown>((o, k) => (o as Schema)[k], schema) as Schema;
    return validate(value, target, at);
  }
  const known = new Set(['$schema', '$id', '$defs', 'title', 'description', 'type', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'minimum', 'pattern', 'format', 'anyOf']);
  for (const k of Object.keys(s)) if (!known.has(k)) return [`${at}: the walker does not know ${k}`];
  const errors: string[] = [];
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => validate(value, sub as Schema, at).length === 0)) errors.push(`${at}: matches no anyOf`);
  if (Array.isArray(s.enum) && !s.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const typeOf = (v: unknown): string[] =>
      v === null ? ['null'] : Array.isArray(v) ? ['array'] : typeof v === 'number' ? (Number.isInteger(v) ? ['integer', 'number'] : ['number']) : [typeof v];
    if (!typeOf(value).some((t) => types.includes(t))) return [...errors, `${at}: ${JSON.stringify(value)} is not ${types.join('|')}`];
  }
  if (typeof value === 'number' && typeof s.minimum === 'number' && value < s.minimum) errors.push(`${at}: below ${s.minimum}`);
  if (typeof value === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) errors.push(`${at}: ${value} does not match ${s.pattern}`);
  if (typeof value === 'string' && s.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${at}: not a date-time`);
  if (Array.isArray(value) && s.items) value.forEach((v, i) => errors.push(...validate(v, s.items as Schema, `${at}[${i}]`)));
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in o)) errors.push(`${at}: ${r} missing`);
    for (const [k, v] of Object.entries(o)) {
      if (props[k]) errors.push(...validate(v, props[k]!, `${at}.${k}`));
      else if (s.additionalProperties === false) errors.push(`${at}: ${k} not allowed`);
    }
  }
  return errors;
}

describe('the encoder against the shipped JSON Schema', () => {
  test.each(SAMPLES)('%s: valid', (_name, sidecar) => {
    expect(validate(JSON.parse(encodeSidecar(sidecar)), schema)).toEqual([]);
  });

  test('the walker does catch what the schema forbids', () => {
    const bad = { ...JSON.parse(encodeSidecar(SAMPLES[0]![1])), state: 'running', extra: 1, since: 'yesterday' };
    expect(validate(bad, schema)).toEqual(expect.arrayContaining([
      '$.state: "running" not in enum',
      '$: extra not allowed',
      '$.since: yesterday does not match ^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
    ]));
  });

  test('every field the encoder writes is in the schema and required', () => {
    expect(Object.keys(SAMPLES[0]![1]).sort()).toEqual([...(schema.required as string[])].sort());
  });
});

describe('encode and decode', () => {
  test.each(SAMPLES)('%s: round trip', (_name, sidecar) => {
    const text = encodeSidecar(sidecar);
    expect(text.endsWith('}\n')).toBe(true);
    expect(decodeSidecar(text)).toEqual(sidecar);
  });

  test('times are ISO-8601 with milliseconds; the stamp as tai64n prints it', () => {
    const s = SAMPLES[0]![1];
    expect(s.since).toBe('2025-12-01T12:00:00.123Z');
    // As C tai64nlocal reads it (TZ=UTC): 2025-12-01 12:00:00.123456500.
    expect(s.stamp).toBe('@40000000692d834a075bcbf4');
    expect(parseStamp(s.stamp)).toEqual(STATUS.stamp);
    expect(formatStamp(STATUS.stamp)).toBe(s.stamp);
    expect(s.lastExit).toEqual({ code: null, signal: 'SIGKILL', at: '2025-12-01T11:59:55.000Z', uptime: 1.234, reason: 'watchdog' });
  });

  test.each<[string, string]>([
    ['not JSON', '{"pid": 1'],
    ['torn', encodeSidecar(SAMPLES[0]![1]).slice(0, 40)],
    ['another version', encodeSidecar({ ...SAMPLES[0]![1], version: 2 as 1 })],
    ['an unknown state', encodeSidecar({ ...SAMPLES[0]![1], state: 'sleeping' as 'up' })],
    ['a field missing', JSON.stringify({ ...SAMPLES[0]![1], deaths: undefined })],
    ['a field too many', JSON.stringify({ ...SAMPLES[0]![1], color: 'red' })],
    ['a bad stamp', encodeSidecar({ ...SAMPLES[0]![1], stamp: '@123' })],
    ['a negative pid', encodeSidecar({ ...SAMPLES[0]![1], pid: -1 })],
    ['an array', '[]'],
  ])('refused: %s', (_name, text) => {
    expect(decodeSidecar(text)).toBeNull();
  });
});

describe('against the 18-byte status', () => {
  const s = SAMPLES[0]![1];
  test.each<[string, Status, 'match' | 'ahead' | 'stale']>([
    ['same pid and stamp', STATUS, 'match'],
    ['another pid at the same stamp', { ...STATUS, pid: 1 }, 'stale'],
    ['a newer 18 bytes (C supervise wrote since)', { ...STATUS, stamp: { seconds: STATUS.stamp.seconds + 1n, nanoseconds: 0 } }, 'stale'],
    ['newer by a nanosecond', { ...STATUS, stamp: { ...STATUS.stamp, nanoseconds: STATUS.stamp.nanoseconds + 1 } }, 'stale'],
    ['older 18 bytes: the sidecar was written first', { ...STATUS, pid: 0, stamp: { seconds: STATUS.stamp.seconds - 3n, nanoseconds: 0 } }, 'ahead'],
    ['paused and want do not matter', { ...STATUS, paused: true, want: 'down' }, 'match'],
  ])('%s: %s', (_name, status, expected) => {
    expect(checkSidecar(s, status)).toBe(expected);
  });
});

describe('the file', () => {
  const root = mkdtempSync(join(tmpdir(), 'dt-sidecar-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('written through status.json.new and a rename; read back; nothing left beside it', () => {
    const dir = join(root, 'svc');
    mkdirSync(join(dir, 'supervise'), { recursive: true });
    writeFileSync(join(dir, 'supervise', 'status.json'), 'old');
    expect(writeSidecar(dir, SAMPLES[1]![1])).toBeNull();
    expect(readdirSync(join(dir, 'supervise'))).toEqual(['status.json']);
    expect(readSidecar(dir)).toEqual(SAMPLES[1]![1]);
    expect(writeSidecar(dir, SAMPLES[2]![1])).toBeNull();
    expect(readSidecar(dir)).toEqual(SAMPLES[2]![1]);
  });

  test('no supervise/ directory: a problem named by the step, nothing thrown', () => {
    expect(writeSidecar(join(root, 'missing'), SAMPLES[0]![1])).toMatchObject({ kind: 'sidecar-open', error: { code: 'ENOENT' } });
    expect(readSidecar(join(root, 'missing'))).toBeNull();
  });
});
