// The release's Linux launcher is linked statically against musl (.github/workflows/prebuild.yml),
// one for glibc and musl systems alike, and so are the start gate, the pipe keeper and the group
// leader. Built here the same way and laid out as an install of the release has them
// (prebuilds/<platform>-<arch>/, no build/: so the launcher is also the logger stub, and the gate
// the supervisors' one), every bin/ program is the launcher, and the suites that pin exec state
// and interop with C run again against that bin/.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const { elfNeeds } = require('../../scripts/elf-needs.cjs') as { elfNeeds: (file: string) => { needed: string[] } };
const { nativeFor, targetDir, hostTarget } = require('../../scripts/prebuild-files.cjs') as {
  nativeFor: (platform: string) => Array<{ file: string; sources: string[]; staticIn?: string[] }>;
  targetDir: (target: unknown) => string;
  hostTarget: () => unknown;
};

const HAVE_MUSL = process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v musl-gcc']).status === 0;

/** Exec state (C vs ours, plain and hostile parents), C's clients driving our supervise, chains, multilog's signals, hosted loggers. */
const SUITES = [
  'test/interop/exec-state.test.ts',
  'test/interop/sv-drive.test.ts',
  'test/integration/chain-fused.test.ts',
  'test/integration/chain-softlimit.test.ts',
  'test/integration/multilog-start-signals.test.ts',
  'test/integration/svscan-hosted-log.test.ts',
];

const work = mkdtempSync(join(tmpdir(), 'dt-musl-launcher-'));
chmodSync(work, 0o755); // the suites run programs as nobody too
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A package as the release installs it, its launcher built with musl-gcc -static. */
function releaseLayout(): { pkg: string; launcher: string } {
  const pkg = join(work, 'package');
  const prebuilds = join(pkg, 'prebuilds', targetDir(hostTarget()));
  mkdirSync(prebuilds, { recursive: true });
  mkdirSync(join(pkg, 'scripts'));
  // As the release's musl job builds them: each program it links statically, with musl.
  for (const { file, sources, staticIn } of nativeFor(process.platform)) {
    if (!staticIn?.includes(process.platform)) copyFileSync(join(ROOT, 'build', 'Release', file), join(prebuilds, file));
    else execFileSync('musl-gcc', ['-static', '-O2', '-std=c11', '-o', join(prebuilds, file), ...sources.map((s) => join(ROOT, s))], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const launcher = join(prebuilds, 'dt-launch');
  copyFileSync(join(ROOT, 'build', 'Release', 'daemontools.node'), join(prebuilds, 'daemontools.node'));
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(join(ROOT, 'scripts', 'install-bin.cjs'), join(pkg, 'scripts', 'install-bin.cjs'));
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true }); // a copy: the addon is looked up beside it
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  execFileSync(process.execPath, [join(pkg, 'scripts', 'install-bin.cjs')]);
  return { pkg, launcher };
}

describe.skipIf(!HAVE_MUSL)('the musl-static launcher as every bin/ program (skipped without musl-gcc: apt-get install musl-tools)', () => {
  test('exec state and interop with C are unchanged', { timeout: 900_000 }, () => {
    const { pkg, launcher } = releaseLayout();
    expect(elfNeeds(launcher).needed).toEqual([]); // static: no loader, no C library of the host's
    const image = readFileSync(launcher);
    for (const program of ['envdir', 'supervise', 'svscan', 'multilog', 'svstat']) expect(readFileSync(join(pkg, 'bin', program)).equals(image)).toBe(true);

    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'linux', '--maxWorkers=1', '--fileParallelism=false', ...SUITES], {
      cwd: ROOT,
      env: { ...process.env, DAEMONTOOLS_TEST_BIN: join(pkg, 'bin'), NO_COLOR: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const report = `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect(report, report).toMatch(new RegExp(`Test Files\\s+${SUITES.length} passed`));
    expect(r.status, report).toBe(0);
  });
});
