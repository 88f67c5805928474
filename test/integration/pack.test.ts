// What users install: a tarball packed from a clean clone (`npm pack`, whose prepack builds this
// machine's prebuilds) installs globally, into a prefix, on a machine with no compiler (no cc,
// c++, make, python3 on PATH) and an empty npm cache; then its programs run: a chain, multilog,
// svstat of a supervised service. The dependencies come from a local registry (the lockfile's
// versions), so the test needs neither the network nor a warm cache.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { NPM_CLI, npmSync, startRegistry } from '../helpers/local-registry.js';
import { ROOT } from '../helpers/paths.js';

const { hostTarget, targetFiles } = require('../../scripts/prebuild-files.cjs') as {
  hostTarget: () => unknown;
  targetFiles: (target: unknown) => string[];
};

const work = mkdtempSync(join(tmpdir(), 'dt-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A clean clone's files, as the working tree has them: what git tracks, and new files it does not ignore. */
function cleanClone(to: string): void {
  let files: string[] | undefined;
  try {
    files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  } catch {
    // Not a git checkout (an unpacked source tarball): everything but what a build makes.
    const made = /^(node_modules|dist|build|build-cmake|prebuilds|bin|\.git|test\/fixtures\/bin|bench\/results)(\/|$)/;
    cpSync(ROOT, to, { recursive: true, filter: (from) => !made.test(relative(ROOT, from)) || relative(ROOT, from) === 'bin/README.md' });
    return;
  }
  for (const file of files.filter((f) => f && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(to, file)); // the mode comes along
  }
}

/** Polls until check() holds (a supervisor coming up is not a matter of time we could assert). */
async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a tarball packed from a clean clone installs globally with no compiler and an empty npm cache, and its programs run', async () => {
  const cache = join(work, 'npm-cache'); // empty: nothing the machine happens to have cached
  const home = join(work, 'home');
  mkdirSync(home);
  const quiet = { npm_config_cache: cache, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', HOME: home };

  // Pack as a maintainer would, scripts and all: prepack builds the prebuilds a clean clone lacks.
  const src = join(work, 'src');
  cleanClone(src);
  expect(existsSync(join(src, 'prebuilds'))).toBe(false);
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  const tgz = join(work, npmSync(['pack', '--silent', '--pack-destination', work], src, { ...process.env, ...quiet }).trim().split('\n').pop()!);
  const shipped = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('package/prebuilds/') && !l.endsWith('/'));
  expect(shipped.map((l) => l.slice('package/'.length)).sort()).toEqual(targetFiles(hostTarget()));

  // A PATH with node and sh only (npm runs its scripts through sh), none of a compiler's tools.
  const bare = join(work, 'bare-bin');
  mkdirSync(bare);
  symlinkSync(process.execPath, join(bare, 'node'));
  symlinkSync('/bin/sh', join(bare, 'sh'));
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3', 'python']) {
    expect(spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { env: { PATH: bare } }).status).not.toBe(0);
  }
  const registry = await startRegistry(ROOT, join(work, 'registry'), { ...process.env, ...quiet });
  const prefix = join(work, 'prefix');
  try {
    const env = { ...quiet, PATH: bare, npm_config_nodedir: '/nonexistent', npm_config_registry: registry.url };
    await promisify(execFile)(process.execPath, [NPM_CLI, 'install', '--global', '--prefix', prefix, tgz], { cwd: work, env });
  } finally {
    await registry.close();
  }

  const pkg = join(prefix, 'lib', 'node_modules', 'daemontools');
  // The JSON Schema of supervise/status.json ships with the package.
  expect(existsSync(join(pkg, 'schema', 'status.schema.json'))).toBe(true);
  expect(existsSync(join(pkg, 'build'))).toBe(false); // nothing was compiled
  expect(existsSync(join(pkg, 'bin', '.sigshim.so'))).toBe(process.platform === 'linux');
  // Every program is linked (npm links only the bins the tarball carries).
  const bin = join(prefix, 'bin');
  const programs = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);
  expect(readdirSync(bin).sort()).toEqual(programs.sort());
  const path = `${bin}:${bare}`;

  // A chain, found by name on PATH and fused: envdir's variable and softlimit's limit reach sh.
  mkdirSync(join(work, 'env'));
  writeFileSync(join(work, 'env', 'GREETING'), 'hello from envdir\n');
  const chain = spawnSync(join(bin, 'envdir'), [join(work, 'env'), 'softlimit', '-o', '77', 'sh', '-c', 'echo "$GREETING"; ulimit -n'], { env: { PATH: path }, encoding: 'utf8' });
  expect(chain.stderr).toBe('');
  expect(chain.stdout).toBe('hello from envdir\n77\n');

  // The prebuilt addon, copied into bin/, is what a start loads: not node-gyp-build's search.
  const prebuilt = targetFiles(hostTarget()).find((f) => f.endsWith('/daemontools.node'))!;
  expect(readFileSync(join(pkg, 'bin', '.daemontools.node')).equals(readFileSync(join(pkg, prebuilt)))).toBe(true);
  // strace by its full path: the chain's PATH has node and sh only.
  const strace = spawnSync('/bin/sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).stdout.trim();
  if (strace !== '') {
    const trace = join(work, 'chain.trace');
    const traced = spawnSync(strace, ['-f', '-e', 'trace=openat', '-o', trace, join(bin, 'envdir'), join(work, 'env'), 'sh', '-c', ':'], { env: { PATH: path } });
    expect(traced.status).toBe(0);
    const opened = readFileSync(trace, 'utf8');
    expect(opened).toContain('/bin/.daemontools.node"');
    expect(opened).not.toContain('node-gyp-build');
  }

  // multilog, stamping each line.
  const ml = spawnSync(join(bin, 'multilog'), ['t', join(work, 'log')], { env: { PATH: path }, input: 'one\ntwo\n', encoding: 'utf8' });
  expect(ml.status).toBe(0);
  expect(readFileSync(join(work, 'log', 'current'), 'utf8')).toMatch(/^@4000[0-9a-f]{20} one\n@4000[0-9a-f]{20} two\n$/);

  // supervise a service (its ./run waits on supervise's stdin), svstat it, take it down.
  const svc = join(work, 'svc');
  mkdirSync(svc);
  writeFileSync(join(svc, 'run'), '#!/bin/sh\nread line\n');
  chmodSync(join(svc, 'run'), 0o755);
  const supervise = spawn(join(bin, 'supervise'), [svc], { env: { PATH: path }, stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => supervise.on('exit', resolve));
  try {
    await until(() => spawnSync(join(bin, 'svok'), [svc]).status === 0, 'supervise to start');
    await until(() => spawnSync(join(bin, 'svstat'), [svc], { encoding: 'utf8' }).stdout.includes(': up (pid'), 'the service to be up');
    expect(spawnSync(join(bin, 'svstat'), [svc], { encoding: 'utf8' }).stdout).toMatch(new RegExp(`^${svc}: up \\(pid \\d+\\) \\d+ seconds\\n$`));
    expect(spawnSync(join(bin, 'svc'), ['-dx', svc]).status).toBe(0);
    supervise.stdin.end(); // ./run's read ends too, should the TERM not have
    expect(await exited).toBe(0);
  } finally {
    if (supervise.exitCode === null && supervise.signalCode === null) supervise.kill('SIGKILL');
  }
}, 600_000); // about a minute; several under a heavily loaded machine
