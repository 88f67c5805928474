// Integration tests run the real bin/ programs: make sure dist/ reflects src/ and bin/ is set up.
// tsc writes dist/ even with type errors; those fail the run in CI only, so that work in progress
// elsewhere in the tree does not stop a developer's targeted test run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export default function setup(): void {
  // A run against another build of bin/ (launcher-musl.test.ts) is made from a run that set up.
  if (process.env.DAEMONTOOLS_TEST_BIN) return;
  const root = join(__dirname, '..');
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  } catch (err) {
    if (process.env.CI) throw err;
    process.stderr.write('global-setup: tsc reported errors (dist/ written anyway)\n');
  }
  execFileSync(process.execPath, [join(root, 'scripts/bundle.cjs')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/install-bin.cjs')], { cwd: root, stdio: 'inherit' });
  buildFixtures(root);
  // The second build path (cmake-js) is built too, so the native tests can prove it; again
  // whenever a native source is newer than it.
  if (stale(join(root, 'build-cmake', 'Release', 'daemontools.node'), join(root, 'native'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/cmake-js/bin/cmake-js'), 'compile', '--out', 'build-cmake'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
}

/** C fixtures (the exec-state probe, a hostile parent, a lying logger stub, the wire formats) compiled into test/fixtures/bin/. */
function buildFixtures(root: string): void {
  const out = join(root, 'test', 'fixtures', 'bin');
  mkdirSync(out, { recursive: true });
  // wire: the native wire-format headers' side of test/native/wire.test.ts, built against them.
  const headers = ['record.h', 'stub_protocol.h', 'gate_protocol.h', 'launch_env.h'].map((h) => join(root, 'native', h));
  for (const name of ['probe', 'hostile', 'fakestub', 'wire']) {
    const src = join(root, 'test', 'fixtures', `${name}.c`);
    const bin = join(out, name);
    const inputs = name === 'wire' ? [src, ...headers] : [src];
    if (existsSync(bin) && inputs.every((f) => statSync(bin).mtimeMs >= statSync(f).mtimeMs)) continue;
    // Only wire looks in native/ (its errno.h would hide the C library's from the others).
    const include = name === 'wire' ? ['-I', join(root, 'native')] : [];
    execFileSync('cc', ['-O2', ...include, '-o', bin, src], { stdio: 'inherit' });
  }
}

function stale(product: string, sources: string): boolean {
  if (!existsSync(product)) return true;
  const built = statSync(product).mtimeMs;
  return readdirSync(sources).some((f) => statSync(join(sources, f)).mtimeMs > built);
}
