#!/usr/bin/env node
// `npm run check-prebuilds`: the release workflow's checks (.github/workflows/prebuild.yml), run on
// whatever prebuilds/ holds, so they run here too and not only on GitHub. Each directory holds
// exactly its target's files (scripts/prebuild-files.cjs), or with --release the whole release
// does; the signal shim names no C library (and a release's Linux launcher none at all); this
// machine's prebuild loads, with no build/ around, and programs run through its launcher. With
// --tarball FILE, the packed tarball ships the same prebuilds and every program (portable shims).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ADDON, NATIVE, hostTarget, releaseFiles, targetDir, targetFiles } = require('./prebuild-files.cjs');
const { elfNeeds } = require('./elf-needs.cjs');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const release = args.includes('--release');
const tarball = args.includes('--tarball') ? path.resolve(args[args.indexOf('--tarball') + 1] ?? '') : undefined;
const problems = [];
const ok = (what) => process.stdout.write(`ok: ${what}\n`);
const fail = (what) => problems.push(what);

function walk(dir, rel) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name), `${rel}/${e.name}`) : [`${rel}/${e.name}`],
  );
}

/** What a directory of prebuilds/ should hold, given the addons in it (tagged by libc or not). */
function expectedIn(dir, files) {
  const [platform, arch] = [dir.slice(0, dir.lastIndexOf('-')), dir.slice(dir.lastIndexOf('-') + 1)];
  const tag = new RegExp(`^${ADDON}\\.([a-z]+)\\.node$`);
  const libcs = files.map((f) => tag.exec(path.basename(f))?.[1]).filter(Boolean).sort();
  return targetFiles({ platform, arch, libcs });
}

function compare(what, expected, actual) {
  const missing = expected.filter((f) => !actual.includes(f));
  const extra = actual.filter((f) => !expected.includes(f));
  if (missing.length === 0 && extra.length === 0) return ok(`${what}: ${actual.length} files, as expected`);
  for (const f of missing) fail(`${what}: missing ${f}`);
  for (const f of extra) fail(`${what}: unexpected ${f}`);
}

const present = walk(path.join(root, 'prebuilds'), 'prebuilds').sort();
if (present.length === 0) fail('prebuilds/ is empty: run `npm run prebuild` first');
if (release) {
  compare('the release', releaseFiles(), present);
} else {
  for (const dir of [...new Set(present.map((f) => f.split('/')[1]))]) {
    const files = present.filter((f) => f.split('/')[1] === dir);
    compare(`prebuilds/${dir}`, expectedIn(dir, files), files);
  }
}

for (const file of present) {
  const spec = NATIVE.find((n) => n.file === path.basename(file));
  if (!spec) continue;
  const full = path.join(root, file);
  if ((fs.statSync(full).mode & 0o111) === 0 && spec.mode & 0o111) fail(`${file}: not executable`);
  const platform = file.split('/')[1].replace(/-[^-]+$/, '');
  const mustBeFree = spec.libcFree || (release && spec.staticIn?.includes(platform));
  if (!mustBeFree) continue;
  try {
    const { needed, versioned } = elfNeeds(full);
    if (needed.length > 0 || versioned) fail(`${file}: needs ${needed.join(', ') || 'symbol versions'} (it must load under any C library)`);
    else ok(`${file}: needs no C library`);
  } catch (err) {
    fail(`${file}: ${err.message}`);
  }
}

/** This machine's prebuild, in a package with no build/ (as an install without compiler has it). */
function loadHere() {
  const dir = targetDir(hostTarget());
  if (!present.some((f) => f.startsWith(`prebuilds/${dir}/`))) return ok(`prebuilds/${dir}: absent, nothing to load on this machine`);
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'launch.cjs'))) return fail('dist/ is not built: run `npm run compile` first');
  const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'dt-check-prebuilds-'));
  try {
    for (const part of ['package.json', 'dist', 'scripts/install-bin.cjs', `prebuilds/${dir}`]) {
      fs.cpSync(path.join(root, part), path.join(pkg, part), { recursive: true });
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
    const addon = require(path.join(root, 'node_modules', 'node-gyp-build'))(pkg);
    if (typeof addon.flock !== 'function') return fail(`prebuilds/${dir}: the addon loads but exports no flock`);
    ok(`prebuilds/${dir}: the addon loads (${path.relative(pkg, require('node-gyp-build').resolve(pkg))})`);
    execFileSync(process.execPath, [path.join(pkg, 'scripts', 'install-bin.cjs')], { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.mkdirSync(path.join(pkg, 'env'));
    fs.writeFileSync(path.join(pkg, 'env', 'CHECK'), 'works\n');
    const out = execFileSync(path.join(pkg, 'bin', 'envdir'), [path.join(pkg, 'env'), 'sh', '-c', 'echo $CHECK'], { encoding: 'utf8' });
    if (out !== 'works\n') return fail(`prebuilds/${dir}: envdir through the launcher printed ${JSON.stringify(out)}`);
    // multilog: on Linux the launcher preloads the signal shim into its Node.
    execFileSync(path.join(pkg, 'bin', 'multilog'), [path.join(pkg, 'log')], { input: 'logged\n' });
    if (fs.readFileSync(path.join(pkg, 'log', 'current'), 'utf8') !== 'logged\n') return fail(`prebuilds/${dir}: multilog through the launcher logged nothing`);
    ok(`prebuilds/${dir}: envdir and multilog run through the prebuilt launcher`);
  } catch (err) {
    fail(`prebuilds/${dir}: ${err.message}`);
  } finally {
    fs.rmSync(pkg, { recursive: true, force: true });
  }
}
loadHere();

/** The tarball ships the prebuilds, and every program as the portable Node shim (npm links only
 * the bins a package has; its postinstall puts the launcher in their place). */
function checkTarball() {
  const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
  const shipped = listed.filter((l) => l.startsWith('package/prebuilds/') && !l.endsWith('/')).map((l) => l.slice('package/'.length)).sort();
  compare(`${path.basename(tarball)} ships`, release ? releaseFiles() : present, shipped);
  const programs = Object.values(require(path.join(root, 'package.json')).bin).sort();
  const bins = listed.filter((l) => l.startsWith('package/bin/')).map((l) => l.slice('package/'.length));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dt-check-tarball-'));
  try {
    execFileSync('tar', ['xzf', tarball, '-C', out, ...programs.filter((p) => bins.includes(p)).map((p) => `package/${p}`)]);
    const unportable = programs.filter((p) => !bins.includes(p) || !fs.readFileSync(path.join(out, 'package', p), 'latin1').startsWith('#!/usr/bin/env node\n'));
    for (const p of unportable) fail(`${path.basename(tarball)}: ${p} is ${bins.includes(p) ? 'not the portable Node shim' : 'missing (npm would link no such program)'}`);
    for (const p of bins.filter((b) => /^bin\/\.(launch|sigshim\.so)$/.test(b))) fail(`${path.basename(tarball)}: ships ${p}, which belongs to the machine that packed it`);
    if (unportable.length === 0) ok(`${path.basename(tarball)}: every program, as the portable Node shim`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
if (tarball) checkTarball();

for (const p of problems) process.stderr.write(`check-prebuilds: ${p}\n`);
process.exit(problems.length ? 1 : 0);
