// The start-up bundles scripts/bundle.cjs writes and the V8 code caches scripts/code-cache.cjs
// makes for them: a program with a bundle of its own gets a cache V8 accepts under the Node
// flags the launcher gives it (bin/.node-flags), and a standalone multilog's bundle holds what a
// multilog runs but not the hostless logger (loaded from disk only for a logger that lost its host).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { launchedNode, nodeFlagsOf } from '../helpers/launch-config.js';
import { ROOT } from '../helpers/paths.js';

const cli = join(ROOT, 'dist', 'cli');
const { cacheFile } = createRequire(__filename)(join(ROOT, 'scripts', 'code-cache.cjs')) as { cacheFile: (bundle: string, flags: string[]) => string };

// A portable tarball carries no caches (scripts/code-cache.cjs --remove).
const cached = existsSync(cacheFile(join(cli, 'launch-bundle.svc.js'), nodeFlagsOf('svc')));

/** Whether V8, run with these flags, rejects the cache made for the bundle. */
function rejected(program: string): string {
  const bundle = join(cli, `launch-bundle.${program}.js`);
  const flags = nodeFlagsOf(program);
  const check = `
    const { readFileSync } = require('fs');
    const { Script } = require('vm');
    const source = readFileSync(process.argv[1], 'utf8');
    const cache = readFileSync(process.argv[2]);
    const s = new Script(source, { filename: process.argv[1], cachedData: cache });
    process.stdout.write(String(s.cachedDataRejected));`;
  const r = spawnSync(launchedNode(), [...flags, '-e', check, bundle, cacheFile(bundle, flags)], { encoding: 'utf8' });
  return r.stdout + r.stderr;
}

const defined = (program: string): string[] =>
  [...readFileSync(join(cli, `launch-bundle.${program}.js`), 'utf8').matchAll(/^defs\["([^"]+)"\]/gm)].map((m) => m[1]);

describe.skipIf(!cached)('start-up bundles', () => {
  test.each(['multilog', 'tai64nlocal', 'tai64n', 'svc', 'envdir'])('%s: its cache is accepted under its flags', (program) => {
    expect(rejected(program)).toBe('false');
  });

  test("multilog's bundle: the catcher first, the engine in, the hostless logger out", () => {
    const mods = defined('multilog');
    expect(mods[0]).toBe('lib/multilog/signals.js');
    expect(mods).toEqual(expect.arrayContaining(['cli/multilog.js', 'cli/identity.js', 'lib/multilog/engine.js', 'lib/multilog/input.js']));
    expect(mods).not.toContain('lib/loghost/hostless.js');
    expect(mods).not.toContain('lib/loghost/rehost.js');
    expect(mods).not.toContain('cli/chain-host.js');
  });

  test("the links' bundle is one hoisted scope (scripts/lean.cjs), the same for each link", () => {
    const text = readFileSync(join(cli, 'launch-bundle.envdir.js'), 'utf8');
    expect(defined('envdir')).toEqual([]);
    expect(text).toContain('// src/cli/lean/links.ts\n');
    for (const link of ['envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack']) expect(readFileSync(join(cli, `launch-bundle.${link}.js`), 'utf8')).toBe(text);
  });
});

/** The files a start of bin/PROGRAM opens (strace), and what it printed. */
function opened(args: string[], cwd: string): { files: string[]; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dt-strace-'));
  try {
    const trace = join(dir, 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat', '-e', 'signal=none', '-o', trace, join(ROOT, 'bin', args[0]!), ...args.slice(1)], { encoding: 'latin1', cwd });
    const files = [...readFileSync(trace, 'latin1').matchAll(/openat\(AT_FDCWD, "([^"]+)"/g)].map((m) => m[1]!);
    return { files, out: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const HAVE_STRACE = spawnSync('strace', ['-V']).status === 0;
const ADDON = join(ROOT, 'build', 'Release', 'daemontools.node');

describe.skipIf(!cached || !HAVE_STRACE || !existsSync(ADDON))('the loader and the addon', () => {
  test('a chain loads the addon once: the loader reads the code cache through it and hands it on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dt-loader-'));
    try {
      mkdirSync(join(dir, 'env'));
      writeFileSync(join(dir, 'env', 'FOO'), 'bar\n');
      const { files, out } = opened(['envdir', 'env', join(ROOT, 'bin', 'softlimit'), '-o', '100', '/bin/sh', '-c', 'echo $FOO'], dir);
      expect(out).toBe('bar\n');
      const loads = files.filter((f) => f.endsWith('/daemontools.node'));
      expect(loads).toHaveLength(1);
      // The cache is opened after the addon is: through it.
      const cache = files.indexOf(cacheFile(join(cli, 'launch-bundle.envdir.js'), nodeFlagsOf('envdir')));
      expect(cache).toBeGreaterThan(files.indexOf(loads[0]!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // svstat, svok and svc start from their lean scripts instead (test/integration/lean-start.test.ts).
  test.each([['tai64n'], ['tai64nlocal']])('%s never loads the addon (the loader reads its cache through node:fs)', (program) => {
    const { files } = opened([program], '/');
    expect(files).toContain(cacheFile(join(cli, `launch-bundle.${program}.js`), nodeFlagsOf(program)));
    expect(files.filter((f) => f.endsWith('/daemontools.node'))).toEqual([]);
  });
});
