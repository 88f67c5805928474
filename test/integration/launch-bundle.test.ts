// The start-up bundles scripts/bundle.cjs writes and the V8 code caches scripts/code-cache.cjs
// makes for them: a program with a bundle of its own gets a cache V8 accepts under the Node
// flags the launcher gives it (bin/.node-flags), and a standalone multilog's bundle holds what a
// multilog runs but not the hostless logger (loaded from disk only for a logger that lost its host).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const cli = join(ROOT, 'dist', 'cli');
const { cacheFile, nodeFlags } = createRequire(__filename)(join(ROOT, 'scripts', 'code-cache.cjs')) as {
  cacheFile: (bundle: string, flags: string[]) => string;
  nodeFlags: () => Record<string, string[]>;
};

/** The Node flags bin/.node-flags gives a program (without the -e that says it is evaluated). */
const flagsOf = (program: string): string[] => nodeFlags()[program] ?? [];

// A portable tarball carries no caches (scripts/code-cache.cjs --remove).
const cached = existsSync(cacheFile(join(cli, 'launch-bundle.svc.js'), flagsOf('svc')));

const node = (): string => readFileSync(join(ROOT, 'bin', '.launch'), 'utf8').split('\n')[0] || process.execPath;

/** Whether V8, run with these flags, rejects the cache made for the bundle. */
function rejected(program: string): string {
  const bundle = join(cli, `launch-bundle.${program}.js`);
  const flags = flagsOf(program);
  const check = `
    const { readFileSync } = require('fs');
    const { Script } = require('vm');
    const source = readFileSync(process.argv[1], 'utf8');
    const cache = readFileSync(process.argv[2]);
    const head = 'daemontools-code-cache 1\\n'.length + 64;
    const s = new Script(source, { filename: process.argv[1], cachedData: cache.subarray(head) });
    process.stdout.write(String(s.cachedDataRejected));`;
  const r = spawnSync(node(), [...flags, '-e', check, bundle, cacheFile(bundle, flags)], { encoding: 'utf8' });
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

  // The launcher names the directory as bin/../dist/cli; the bundle knows its modules by resolved
  // paths, so an unresolved one would have every module of the program loaded again from disk.
  test.each([
    ['svc', ['-u', '/nonexistent']],
    ['svstat', ['/nonexistent']],
    ['envdir', ['/nonexistent', 'true']],
  ])('%s, evaluated by the launcher, loads none of its modules from disk', (program, args) => {
    const r = spawnSync(join(ROOT, 'bin', program), args, { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'module' } });
    expect(r.stdout + r.stderr).toContain('/nonexistent: '); // the program ran, and said so
    expect(r.stderr.split('\n').filter((l) => / load "\//.test(l))).toEqual([]);
  });
});
