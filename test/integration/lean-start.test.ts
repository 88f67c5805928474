// The lean starts of svc, svok and svstat (scripts/lean.cjs): the launcher runs
// dist/cli/lean-PROGRAM.cjs, which reads no bundle, no code cache and no addon, and prints what the
// start-up bundle's path (dist/cli/launch.cjs) prints, byte for byte, with the same exit code.
// sv-clients.test.ts holds both against C's; this file holds them against each other, on the
// paths only the lean script takes differently (a name that is not UTF-8, the portable profile).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { encodeStatus, taiNow } from '../../src/lib/status.js';
import { launchedNode, nodeFlagsOf } from '../helpers/launch-config.js';
import { ROOT } from '../helpers/paths.js';
import { FakeSupervise } from './sv-golden.js';

const cli = join(ROOT, 'dist', 'cli');
const box = mkdtempSync(join(tmpdir(), 'dt-lean-'));
const fakes: FakeSupervise[] = [];
afterAll(() => {
  for (const f of fakes) f.close();
  rmSync(box, { recursive: true, force: true });
});

// A running "supervise" (this process holds its FIFOs), one with a down file, one not running;
// a status stamped in the future reads "0 seconds" whenever it runs.
function service(name: string, options: { down?: boolean; running?: boolean } = {}): string {
  const dir = join(box, name);
  mkdirSync(dir);
  if (options.down) writeFileSync(join(dir, 'down'), '');
  if (options.running === false) {
    mkdirSync(join(dir, 'supervise'));
    spawnSync('mkfifo', [join(dir, 'supervise', 'ok')]);
    spawnSync('mkfifo', [join(dir, 'supervise', 'control')]);
    return dir;
  }
  const fake = new FakeSupervise(dir);
  fakes.push(fake);
  fake.writeStatus(encodeStatus({ stamp: { seconds: taiNow() + 5000n, nanoseconds: 0 }, pid: 77, paused: true, want: 'down' }));
  return dir;
}
const live = service('live');
const downFile = service('normally-down', { down: true });
const stopped = service('stopped', { running: false });
// A name that is not UTF-8 (x, byte 0xff, y, relative to the box): a link to a running service.
// Its bytes reach the program through sh (HIDDEN in the arguments below); the lean script loads the
// addon's chdir for it, from disk.
const HIDDEN = '\0hidden';
symlinkSync(service('bytes-up'), Buffer.concat([Buffer.from(`${box}/`), Buffer.from([0x78, 0xff, 0x79])]));

type Outcome = { stdout: string; stderr: string; status: number | null };

/** sh's words for `file args`, HIDDEN as the bytes x 0xff y. */
const shCommand = (file: string, args: readonly string[]): string[] => {
  const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`).split(HIDDEN).join(`'"$h"'`)}'`;
  return ['-c', `h=$(printf 'x\\377y'); exec ${[file, ...args].map(quote).join(' ')}`];
};

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Outcome {
  const r = spawnSync('/bin/sh', shCommand(file, args), { cwd: box, env, encoding: 'latin1', timeout: 20000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The program through bin/ (the lean script), and through the start-up bundle. */
function both(program: string, args: readonly string[], env: NodeJS.ProcessEnv): { lean: Outcome; bundle: Outcome } {
  return {
    lean: run(join(ROOT, 'bin', program), args, env),
    bundle: run(launchedNode(), [...nodeFlagsOf(program), join(cli, 'launch.cjs'), program, ...args], env),
  };
}

// Linux's branches only: under the portable profile a name that is not UTF-8 reaches the program
// through the launcher's record (its a= field), which the bundle's side, run without the launcher,
// lacks. The portable test project holds the lean start against C's there (sv-clients.test.ts).
const env = { PATH: '/usr/bin:/bin' };

// program, arguments
const CASES: Array<[string, string[]]> = [
  ['svstat', []],
  ['svstat', [live]],
  ['svstat', [live, downFile, stopped, '/nonexistent', live]],
  ['svstat', [HIDDEN, 'normally-down', `${HIDDEN}/nope`]],
  ['svok', []],
  ['svok', [live]],
  ['svok', [stopped]],
  ['svok', ['/nonexistent']],
  ['svok', [HIDDEN]],
  ['svok', [`${HIDDEN}/nope`]],
  ['svc', []],
  ['svc', ['-Q', live]],
  ['svc', ['-dup', live, stopped, '/nonexistent']],
  ['svc', ['-u', HIDDEN]],
];

test.each(CASES)('%s %j: the lean start prints and exits as the bundle does', (program, args) => {
  const { lean, bundle } = both(program, args, env);
  expect(lean).toEqual(bundle);
});

test('the cases cover success and failure', () => {
  expect(both('svstat', [live], env).lean.stdout).toBe(`${live}: up (pid 77) 0 seconds, paused, want down\n`);
  expect(both('svstat', [HIDDEN], env).lean.stdout).toBe('x\xffy: up (pid 77) 0 seconds, paused, want down\n');
  expect(both('svok', [stopped], env).lean.status).toBe(100);
  expect(both('svok', [live], env).lean.status).toBe(0);
  expect(both('svc', ['-Q', live], env).lean.status).toBe(100);
});

const HAVE_STRACE = spawnSync('strace', ['-V']).status === 0;

describe.skipIf(!HAVE_STRACE)('what a lean start opens', () => {
  /** The files a start of bin/PROGRAM opens. */
  function opened(program: string, args: readonly string[]): string[] {
    const trace = join(box, `trace-${program}`);
    spawnSync('/bin/sh', shCommand('strace', ['-f', '-qq', '-e', 'trace=openat,open', '-e', 'signal=none', '-o', trace, join(ROOT, 'bin', program), ...args]), { cwd: box });
    return [...readFileSync(trace, 'latin1').matchAll(/open(?:at)?\((?:AT_FDCWD, )?"([^"]+)"/g)].map((m) => m[1]!);
  }

  test.each([
    ['svstat', [live]],
    ['svok', [live]],
    ['svc', ['-u', live]],
  ])('%s reads its lean script and nothing of the bundle path', (program, args) => {
    expect(existsSync(join(cli, `lean-${program}.cjs`))).toBe(true);
    const files = opened(program, args);
    expect(files).toContain(join(ROOT, 'bin', '..', 'dist', 'cli', `lean-${program}.cjs`));
    expect(files.filter((f) => /launch\.cjs$|launch-bundle|\.node$/.test(f))).toEqual([]);
  });

  test('a name that is not UTF-8 loads the addon for its chdir, and only then', () => {
    const files = opened('svok', [HIDDEN]);
    expect(files.filter((f) => f.endsWith('.node'))).toHaveLength(1);
    expect(files.some((f) => f.endsWith('/dist/cli/chdir-bytes.js'))).toBe(true);
  });
});
