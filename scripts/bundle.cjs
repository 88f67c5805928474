#!/usr/bin/env node
// Writes the start-up bundles: the modules a short-lived program needs, in one file, so a start
// reads and compiles one script instead of some twenty (each separate module costs ~0.4 ms here).
// dist/cli/launch-bundle.PROGRAM.js holds just what PROGRAM needs, for each program whose start-up
// time matters; dist/cli/launch-bundle.js all of them, for the rest. A chain link's holds what any
// fused link needs, hoisted into one scope (scripts/lean.cjs, from src/cli/lean/links.ts): a
// module table costs a chain's start ~2.6 M instructions more to deserialize and run.
// dist/cli/launch.cjs, the script the launcher runs, picks one and compiles it with its V8 code
// cache (scripts/launch-loader.cjs); scripts/code-cache.cjs makes the caches.
// Modules keep their own filename, __dirname and require.cache entry, so a module loaded from
// disk later still shares their single instance; anything not bundled loads from dist/ as usual.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const cli = path.join(dist, 'cli');
const ENTRY = path.join(cli, 'main.js');
// The programs whose start-up time matters: each has a bundle of its own.
const LINKS = ['envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack'];
// multilog is long-running, but a standalone one (`multilog t ./L < file`) pays its start in
// every run of a batch.
const SHARED = [...LINKS, 'svc', 'svok', 'svstat', 'tai64n'];
const HOT = [...SHARED, 'tai64nlocal', 'multilog'];
// main.js requires these only for some programs: the chain host for a chain link, the identity
// for a long-running program (of the hot ones, multilog).
const ONLY_FOR_LINKS = path.join(cli, 'chain-host.js');
const ONLY_LONG_RUNNING = path.join(cli, 'identity.js');
const LONG_RUNNING = ['multilog'];
// A multilog needs the hostless logger only when its launcher's record says it lost its host:
// it stays out of the bundle (and loads from disk in that case).
const ONLY_HOSTLESS = path.join(dist, 'lib', 'loghost', 'hostless.js');
// svc, svok and svstat chdir through the addon only to a directory whose name is not UTF-8: the
// module that does stays out of the bundles (and loads from disk in that case).
const ONLY_HIDDEN_BYTES = path.join(cli, 'chdir-bytes.js');
// Until someone listens, Node lets SIGTERM and SIGALRM kill a multilog: its catcher is defined and
// run first, before the rest of the bundle is even compiled (load() below is hoisted).
const EARLY = path.join(dist, 'lib', 'multilog', 'signals.js');

const REQUIRE = /require\((["'])(\.{1,2}\/[^"']+)\1\)/g;
// A bundle is one function expression, which the loader calls as Node calls a module's wrapper.
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';

function collect(file, seen, skip) {
  if (seen.has(file) || skip.has(file) || !fs.existsSync(file)) return;
  seen.add(file);
  const source = fs.readFileSync(file, 'utf8');
  for (const m of source.matchAll(REQUIRE)) collect(path.resolve(path.dirname(file), m[2]), seen, skip);
}

/** The modules of a bundle for `programs`; `full` keeps every lazy edge of main.js. */
function modules(programs, full) {
  const seen = new Set();
  const has = (list) => programs.some((p) => list.includes(p));
  const skip = new Set(full ? [] : [ONLY_HOSTLESS, ONLY_HIDDEN_BYTES, ...(has(LONG_RUNNING) ? [] : [ONLY_LONG_RUNNING]), ...(has(LINKS) ? [] : [ONLY_FOR_LINKS])]);
  if (full || programs.includes('multilog')) collect(EARLY, seen, skip);
  collect(ENTRY, seen, skip);
  for (const name of programs) collect(path.join(cli, `${name}.js`), seen, skip);
  return seen;
}

const key = (file) => path.relative(dist, file).split(path.sep).join('/');

function bundle(files) {
  // One function expression, called by the loader as Node calls a module's wrapper. Modules are
  // keyed by their path under dist/, their relative requires resolved here.
  const parts = [
    WRAPPER,
    "'use strict';",
    // The loader's module is a Module: its constructor spares loading node:module.
    'const Module = module.constructor;',
    "const { dirname, resolve } = require('path');",
    "const DIST = dirname(__dirname) + '/';",
    'const defs = Object.create(null);',
  ];
  const define = (file) => {
    const source = fs.readFileSync(file, 'utf8').replace(/^#!.*\n/, '').replace(/\n\/\/# sourceMappingURL=.*$/, '');
    const deps = {};
    for (const m of source.matchAll(REQUIRE)) {
      const target = path.resolve(path.dirname(file), m[2]);
      if (files.has(target)) deps[m[2]] = key(target);
    }
    parts.push(`defs[${JSON.stringify(key(file))}] = [${JSON.stringify(deps)}, function (exports, require, module, __filename, __dirname) {\n${source}\n}];`);
  };
  // The catcher and the modules it needs come first, so it runs before the rest is defined.
  const early = new Set();
  if (files.has(EARLY)) {
    collect(EARLY, early, new Set());
    for (const file of files) if (early.has(file)) define(file);
    // The launcher hands on its argv[0] as given: the program is its basename.
    parts.push(`if (String(process.argv[2]).split('/').pop() === 'multilog') load(${JSON.stringify(key(EARLY))}, module).catchSignals();`);
  }
  for (const file of files) if (!early.has(file)) define(file);
  parts.push(`
function load(name, parent) {
  const file = DIST + name;
  const cached = require.cache[file];
  if (cached) return cached.exports;
  const [deps, body] = defs[name];
  const dir = dirname(file);
  // The fields Node's constructor gives a module, and its place among its parent's children,
  // without the constructor's own bookkeeping for each of the bundle's modules.
  const m = Object.create(Module.prototype);
  m.id = file;
  m.path = dir;
  m.exports = {};
  m.filename = file;
  m.loaded = false;
  m.children = [];
  parent?.children?.push(m);
  // The node_modules directories a require() of a package from this module searches: worked out
  // on the first such require (few modules make one), not for each module a start loads.
  let paths;
  Object.defineProperty(m, 'paths', {
    configurable: true,
    enumerable: true,
    get: () => (paths ??= Module._nodeModulePaths(dir)),
    set: (value) => {
      paths = value;
    },
  });
  require.cache[file] = m;
  // A module not defined yet (multilog's catcher runs before the rest is) loads from disk.
  const req = (id) => {
    const dep = deps[id] ?? bundled(name, id);
    return dep !== undefined && defs[dep] ? load(dep, m) : m.require(id);
  };
  req.cache = require.cache;
  req.resolve = (id, opts) => m.require.resolve ? require.resolve(id.startsWith('.') ? require('path').resolve(dir, id) : id, opts) : id;
  body.call(m.exports, m.exports, req, m, file, dir);
  m.loaded = true;
  return m.exports;
}
// A relative require the table above does not name (tools.js names its modules in variables).
function bundled(name, id) {
  if (!id.startsWith('./') && !id.startsWith('../')) return undefined;
  const full = resolve(DIST + dirname(name), id);
  return full.startsWith(DIST) && defs[full.slice(DIST.length)] ? full.slice(DIST.length) : undefined;
}
load(${JSON.stringify(key(ENTRY))}, module).start();
})`);
  return hashed(parts.join('\n'));
}

/** The last line names the bundle's hash: its cache is made for it (scripts/code-cache.cjs). */
const hashed = (text) => `${text}\n// sha256 ${crypto.createHash('sha256').update(text).digest('hex')}`;

/**
 * The chain links' bundle: their lean script (scripts/lean.cjs), as one function the loader calls
 * as Node calls a module's wrapper. What it does not hoist (a program of ours the chain ends in
 * that is no link, say) loads from dist/ as usual, and shares the process's state with it
 * (src/native/process-slot.ts).
 */
function linksBundle() {
  const { leanScript, programFor } = require('./lean.cjs');
  const entry = path.join(__dirname, '..', 'src', 'cli', 'lean', 'links.ts');
  const { ts, program } = programFor([entry]);
  return hashed(`${WRAPPER}\n${leanScript(program, ts, entry)}})`);
}

for (const name of fs.readdirSync(cli)) if (/^launch-bundle.*\.js$/.test(name)) fs.rmSync(path.join(cli, name));
// The programs whose bundle carries the module that loads the addon: the loader reads their cache
// through it (the others would load it for that alone, and the load costs them more than it saves).
const ADDON = path.join(dist, 'native', 'index.js');
const withAddon = [];
let links;
for (const name of HOT) {
  const list = modules(LINKS.includes(name) ? [name, ...LINKS] : [name], false);
  if (list.has(ADDON)) withAddon.push(name);
  fs.writeFileSync(path.join(cli, `launch-bundle.${name}.js`), LINKS.includes(name) ? (links ??= linksBundle()) : bundle(list));
}
const shared = modules(SHARED, true);
fs.writeFileSync(path.join(cli, 'launch-bundle.js'), bundle(shared));
// The shared bundle's programs are the long-running ones, which all use the addon.
if (!shared.has(ADDON)) throw new Error('the shared bundle carries no src/native/index.ts');
const loader = fs.readFileSync(path.join(__dirname, 'launch-loader.cjs'), 'utf8');
// .cjs: Node looks up no package.json scope for it (for a .js main it looks twice, and compiles
// the reader: ~1.3 M instructions a start).
fs.rmSync(path.join(cli, 'launch.js'), { force: true });
const FLAGS_TAG = /^const flagsTag = require\('\.\/code-cache\.cjs'\)\.flagsTag;$/m;
if (!FLAGS_TAG.test(loader)) throw new Error('scripts/launch-loader.cjs: no flagsTag line to write the function in place of');
const launch = loader
  .replace(/^const OWN = .*$/m, `const OWN = new Set(${JSON.stringify(HOT)});`)
  .replace(/^const ADDONLESS = .*$/m, `const ADDONLESS = new Set(${JSON.stringify(HOT.filter((name) => !withAddon.includes(name)))});`)
  .replace(FLAGS_TAG, () => require('./code-cache.cjs').flagsTag.toString());
fs.writeFileSync(path.join(cli, 'launch.cjs'), launch);
require('./code-cache.cjs').makeAll();
