// What users install: `npm run prebuild`, `npm pack`, then installing the tarball on a machine
// with no compiler (no cc, c++, make, python3 on PATH) gives working programs.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const work = mkdtempSync(join(tmpdir(), 'dt-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  return execFileSync(process.execPath, [npmCli, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('the packed tarball installs and runs without a compiler', () => {
  // Build the prebuilds in a copy of the package, so the shared tree's build/ stays untouched
  // while other tests run its programs.
  const src = join(work, 'src');
  cpSync(ROOT, src, {
    recursive: true,
    filter: (from) => !/^(node_modules|build|build-cmake|prebuilds|\.git)$/.test(relative(ROOT, from).split('/')[0]!),
  });
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  npm(['run', 'prebuild'], src);
  const tgz = npm(['pack', '--silent', '--ignore-scripts', '--pack-destination', work], src).trim().split('\n').pop()!;

  // A PATH with node and sh only (npm runs its scripts through sh).
  const bare = join(work, 'bare-bin');
  mkdirSync(bare);
  symlinkSync(process.execPath, join(bare, 'node'));
  symlinkSync('/bin/sh', join(bare, 'sh'));
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make', 'python3']) {
    expect(spawnSync('sh', ['-c', `command -v ${tool}`], { env: { PATH: bare } }).status).not.toBe(0);
  }
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}');
  const env = { ...process.env, PATH: bare, npm_config_nodedir: '/nonexistent' };
  npm(['install', '--offline', '--no-audit', '--no-fund', join(work, tgz)], app, env);

  const pkg = join(app, 'node_modules', 'daemontools');
  expect(readdirSync(join(pkg, 'prebuilds', `${process.platform}-${process.arch}`)).sort()).toEqual(['daemontools.node', 'dt-launch', 'dt-sigshim.so']);
  // The launcher's signal-holding shim for multilog is installed beside the programs.
  expect(existsSync(join(pkg, 'bin', '.sigshim.so'))).toBe(true);
  expect(existsSync(join(pkg, 'build'))).toBe(false); // nothing was compiled

  mkdirSync(join(work, 'env'));
  writeFileSync(join(work, 'env', 'GREETING'), 'hello from envdir\n');
  const r = spawnSync(join(app, 'node_modules', '.bin', 'envdir'), [join(work, 'env'), '/usr/bin/env'], {
    env: { PATH: bare },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('GREETING=hello from envdir\n');
}, 240_000);
