// tai64nlocal against C's: the same bytes out, the same exit (or the same crash) for labels of
// every shape and for many time zones -- files, rule strings, leap seconds, glibc's fallbacks.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { HAVE_C, ours, theirs } from '../helpers/paths.js';

const HAVE_ZONES = existsSync('/usr/share/zoneinfo/right/UTC') && existsSync('/usr/share/zoneinfo/posixrules');

interface Outcome {
  readonly stdout: string;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function run(file: string, input: Buffer | string, env: NodeJS.ProcessEnv, shell?: string): Outcome {
  const r = shell
    ? spawnSync('/bin/sh', ['-c', shell, file], { input, env, maxBuffer: 1 << 28 })
    : spawnSync(file, [], { input, env, maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString('latin1'), status: r.status, signal: r.signal, stderr: r.stderr.toString() };
}

function both(input: Buffer | string, env: NodeJS.ProcessEnv, shell?: string): { c: Outcome; ours: Outcome } {
  return { c: run(theirs('tai64nlocal'), input, env, shell), ours: run(ours('tai64nlocal'), input, env, shell) };
}

const label = (unix: bigint, nano = 0): string =>
  `@${BigInt.asUintN(64, unix + 4611686018427387914n).toString(16).padStart(16, '0')}${nano.toString(16).padStart(8, '0')}`;

describe.runIf(HAVE_C)('labels of every shape (TZ=UTC)', () => {
  test.each<[string, string]>([
    ['no input', ''],
    ['plain lines', 'a\nb\n\nc'],
    ['a label', `${label(1000000000n, 123)} text\n`],
    ['labels on several lines', `${label(0n)} a\n${label(-1n)} b\nplain\n${label(4102444800n, 999999999)}\n`],
    ['a label ended by a newline', `${label(1n)}\nx\n`],
    ['not at the start of a line', `x${label(1n)}\n`],
    ['nanoseconds beyond 999999999', `${label(5n, 0xffffffff)}\n`],
    ['25 digits (shifted through)', `@0${label(7n).slice(1)}1\n`],
    ['cut off at the end of input', `ok\n${label(1n).slice(0, 20)}`],
    ['a lone @ at the end', 'ok\n@'],
    ['year 1', `${label(-62135596800n)}\n`],
    ['year 10000', `${label(253402300800n)}\n`],
    ['the largest year an int holds', `${label(67767976233532799n)}\n`],
    ['1900 + tm_year overflowing an int', `${label(67767976233532800n)}\n`],
    ['the smallest year', `${label(-67768040609740800n)}\n`],
    // localtime() returns NULL and C crashes on it
    ['no digits', 'before\n@\nafter\n'],
    ['a short label', 'before\n@4000\n'],
    ['upper-case hex', `${label(1n).toUpperCase()}\n`],
    ['beyond any int year', `${label(67767976233532800000n)}\n`],
    ['crash after a full buffer', `${'z'.repeat(9000)}\n@x\n`],
    ['crash after many converted labels', `${`${label(1000000000n)}\n`.repeat(300)}@x\n`],
  ])('%s', (_name, input) => {
    const r = both(input, { TZ: 'UTC' });
    expect(r.ours).toEqual(r.c);
  });

  test.each<[string, string, string]>([
    ['stdin closed', 'exec <&-; exec "$0"', ''],
    ['stdout closed, something to write', 'exec >&-; exec "$0"', 'x\n'],
    ['stdout closed, nothing to write', 'exec >&-; exec "$0"', ''],
    ['reader gone: SIGPIPE', 'yes | { "$0"; echo "status $?" >&2; } | head -c 1 >/dev/null', ''],
    ['reader gone, SIGPIPE ignored: exit 111', 'trap "" PIPE; yes 2>/dev/null | { "$0"; echo "status $?" >&2; } | head -c 1 >/dev/null', ''],
  ])('%s', (_name, shell, input) => {
    const r = both(input, { TZ: 'UTC' }, shell);
    expect(r.ours).toEqual(r.c);
  });

  test('the SIGPIPE cases above say what they should', () => {
    const r = both('', { TZ: 'UTC' }, 'yes | { "$0"; echo "status $?" >&2; } | head -c 1 >/dev/null');
    expect(r.c.stderr).toBe('status 141\n');
  });
});

/** Many labels spread over the interesting ranges (deterministic). */
function fuzzInput(count: number): string {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const between = (lo: number, hi: number): bigint => BigInt(Math.floor(lo + rnd() * (hi - lo)));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = rnd();
    const t =
      k < 0.3
        ? between(-1e10, 1e11)
        : k < 0.45
          ? between(-6.7e16, 6.7e16)
          : k < 0.6
            ? between(2e12, 1e13) * (rnd() < 0.5 ? -1n : 1n)
            : k < 0.85
              ? between(1.5e9, 2.3e9)
              : BigInt(Math.floor(rnd() * 60)) * 15778476n + between(-7200, 7200);
    lines.push(`${label(t, Math.floor(rnd() * 2 ** 32))} line ${i}`);
  }
  return `${lines.join('\n')}\n`;
}

describe.runIf(HAVE_C && HAVE_ZONES)('time zones', () => {
  const input = fuzzInput(4000);
  test.each<[string, string | undefined]>([
    ['unset (/etc/localtime)', undefined],
    ['empty', ''],
    ['UTC', 'UTC'],
    ['a file', 'America/New_York'],
    ['a file, with a colon', ':Europe/Berlin'],
    ['half-hour DST', 'Australia/Lord_Howe'],
    ['southern hemisphere', 'America/Sao_Paulo'],
    ['odd offsets', 'Pacific/Chatham'],
    ['leap seconds', 'right/UTC'],
    ['leap seconds and DST', 'right/America/New_York'],
    ['an absolute path', '/usr/share/zoneinfo/Asia/Kolkata'],
    ['no such file: read as a rule string', 'Foo/Bar'],
    ['rules', 'EST5EDT,M3.2.0,M11.1.0'],
    ['rules, times of day', 'ABC3DEF,M4.1.0/3,M10.5.0/-2:30'],
    ['Julian rules', 'ABC5DEF,J60/2,J300'],
    ['zero-based day rules', 'ABC5DEF,59/2,300'],
    ['southern rules', 'AAA-10BBB,M10.1.0,M4.1.0/3'],
    ['quoted names', '<+0530>-5:30'],
    ['no DST', 'XYZ-3'],
    ['DST names without rules (posixrules)', 'ABC5DEF'],
    ['... with other offsets', 'XXX-8YYY'],
    ['... with a DST offset', 'ABC3DEF-1'],
    ['a trailing comma', 'ABC5DEF,'],
    ['a bad rule', 'ABC5DEF,M13.1.0,M2.1.0'],
    ['seconds in offsets', 'ABC+5:30:15DEF+4:00:99'],
  ])('%s', (_name, tz) => {
    const env: NodeJS.ProcessEnv = tz === undefined ? {} : { TZ: tz };
    const r = both(input, env);
    expect(r.c.status).toBe(0);
    expect(r.ours).toEqual(r.c);
  });

  test('TZDIR moves the zone files', () => {
    const r = both(`${label(1000000000n)}\n`, { TZ: 'New_York', TZDIR: '/usr/share/zoneinfo/America' });
    expect(r.ours).toEqual(r.c);
    expect(r.c.stdout).toBe('2001-09-08 21:46:40.000000000\n');
  });
});
