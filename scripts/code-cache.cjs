#!/usr/bin/env node
// Makes the V8 code caches of the start-up bundles (dist/cli/launch-bundle*.js, scripts/bundle.cjs)
// that dist/cli/launch.cjs (scripts/launch-loader.cjs) loads: for a program's own bundle, one for
// the Node flags the launcher passes it (bin/.node-flags); for the shared bundle, one per set of
// flags there and one for none, named by a hash of them. Each is made by the node in bin/.launch
// running with those flags, since V8 accepts data only from its own version and flags, and is
// named by the bundle's hash (checked here against the bundle's bytes), which the loader reads off
// the bundle's last line: a bundle never meets a cache made for another. Every function is
// compiled eagerly into the cache, so a start neither parses nor compiles any of the bundle. Run
// by scripts/bundle.cjs and scripts/install-bin.cjs; `--remove` deletes them (a portable tarball
// carries none).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli');

/** ".HEX", a 32-bit FNV-1a of the flags (none: ""): a name that stays short however many there are.
 * The loader (dist/cli/launch.cjs) computes it from process.execArgv with this same function, whose
 * text scripts/bundle.cjs writes into it. */
function flagsTag(flags) {
  if (flags.length === 0) return '';
  const text = flags.join(' ');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return `.${(hash >>> 0).toString(16).padStart(8, '0')}`;
}

/** The hash a bundle's last line names ("// sha256 HEX"); throws if the bundle's bytes do not have it. */
function bundleHash(bundle) {
  const source = fs.readFileSync(bundle, 'utf8');
  const cut = source.lastIndexOf('\n// sha256 ');
  const hash = source.slice(cut + '\n// sha256 '.length);
  const actual = require('node:crypto').createHash('sha256').update(source.slice(0, cut)).digest('hex');
  if (cut < 0 || hash !== actual) throw new Error(`${bundle}: its last line does not name its hash`);
  return hash;
}

/**
 * The cache file of a bundle for these flags, named as the loader names it: by the first 16
 * digits of the bundle's hash, after, for the shared bundle, the tag of the flags (a program's own
 * bundle, launch-bundle.PROGRAM.js, has one cache only, for its launcher's flags).
 */
const cacheFile = (bundle, flags) => {
  const stem = bundle.replace(/\.js$/, '');
  const tag = /launch-bundle\.[^/]+$/.test(stem) ? '' : flagsTag(flags);
  return `${stem}${tag}.${bundleHash(bundle).slice(0, 16)}.cache`;
};

function remove() {
  if (!fs.existsSync(cli)) return;
  for (const name of fs.readdirSync(cli)) if (/^launch-bundle.*\.cache$/.test(name)) fs.rmSync(path.join(cli, name), { force: true });
}

/** bin/.node-flags ("PROGRAM FLAG..." a line) as {program: [flag...]}. */
function nodeFlags() {
  let text = '';
  try {
    text = fs.readFileSync(path.join(root, 'bin', '.node-flags'), 'utf8');
  } catch {}
  const flags = {};
  for (const line of text.split('\n')) {
    const [program, ...list] = line.split(' ').filter(Boolean);
    if (program) flags[program] = list;
  }
  return flags;
}

/** [bundle file, flags] for every cache to make. */
function caches() {
  const flags = nodeFlags();
  const sets = new Map([['', []]]);
  for (const list of Object.values(flags)) sets.set(list.join(' '), list);
  const out = [...sets.values()].map((list) => [path.join(cli, 'launch-bundle.js'), list]);
  for (const name of fs.readdirSync(cli)) {
    const own = /^launch-bundle\.(.+)\.js$/.exec(name);
    if (own) out.push([path.join(cli, name), flags[own[1]] ?? []]);
  }
  return out;
}

function nodeBinary() {
  try {
    return fs.readFileSync(path.join(root, 'bin', '.launch'), 'utf8').split('\n')[0] || process.execPath;
  } catch {
    return process.execPath;
  }
}

/** In the child, run with the flags: compiles the bundle eagerly and writes its cache. */
function make(bundle, out) {
  const v8 = require('node:v8');
  const { Script } = require('node:vm');
  bundleHash(bundle);
  const source = fs.readFileSync(bundle, 'utf8');
  // --no-lazy only while compiling: V8 stamps the data with the flags in force when it is made.
  v8.setFlagsFromString('--no-lazy');
  const script = new Script(source, { filename: bundle });
  v8.setFlagsFromString('--lazy');
  const data = script.createCachedData();
  const tmp = `${out}.tmp${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, out);
}

function makeAll() {
  remove();
  if (!fs.existsSync(path.join(cli, 'launch-bundle.js'))) return;
  const node = nodeBinary();
  for (const [bundle, flags] of caches()) {
    const r = spawnSync(node, [...flags, __filename, '--make', bundle, cacheFile(bundle, flags)], { stdio: ['ignore', 'inherit', 'inherit'] });
    // Without a cache the loader compiles the bundle as Node would: slower, never wrong.
    if (r.status !== 0) process.stderr.write(`daemontools: no code cache for ${path.basename(bundle)} ${flags.join(' ')}: ${r.error?.message ?? `exit ${r.status}`}\n`);
  }
}

module.exports = { makeAll, remove, cacheFile, flagsTag };

if (require.main === module) {
  if (process.argv[2] === '--make') make(process.argv[3], process.argv[4]);
  else if (process.argv[2] === '--remove') remove();
  else makeAll();
}
