#!/usr/bin/env node
// Writes dist/cli/launch.js: the modules every short-lived program needs, in one file, so a start
// reads and compiles one script instead of some twenty (each separate module costs ~0.4 ms here).
// Modules keep their own filename, __dirname and require.cache entry, so a module loaded from
// disk later still shares their single instance; anything not bundled loads from dist/ as usual.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const ENTRY = path.join(dist, 'cli', 'main.js');
// Entry points of the programs whose start-up time matters, besides main.js.
const HOT = ['envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack', 'svc', 'svok', 'svstat', 'tai64n'];

const REQUIRE = /require\((["'])(\.{1,2}\/[^"']+)\1\)/g;

function collect(file, seen) {
  if (seen.has(file) || !fs.existsSync(file)) return;
  seen.add(file);
  const source = fs.readFileSync(file, 'utf8');
  for (const m of source.matchAll(REQUIRE)) collect(path.resolve(path.dirname(file), m[2]), seen);
}

const seen = new Set();
collect(ENTRY, seen);
for (const name of HOT) collect(path.join(dist, 'cli', `${name}.js`), seen);

const parts = [
  "'use strict';",
  "const Module = require('module');",
  "const { dirname, resolve } = require('path');",
  'const defs = Object.create(null);',
];
// Until someone listens, Node lets SIGTERM and SIGALRM kill a multilog: its catcher is defined and
// run first, before the rest of the bundle is even compiled (load() below is hoisted).
const EARLY = path.join(dist, 'lib', 'multilog', 'signals.js');
const define = (file) => {
  const rel = path.relative(path.join(dist, 'cli'), file);
  const source = fs.readFileSync(file, 'utf8').replace(/^#!.*\n/, '').replace(/\n\/\/# sourceMappingURL=.*$/, '');
  parts.push(`defs[resolve(__dirname, ${JSON.stringify(rel)})] = function (exports, require, module, __filename, __dirname) {\n${source}\n};`);
  return rel;
};
const early = define(EARLY);
// The launcher hands on its argv[0] as given: the program is its basename.
parts.push(`if (String(process.argv[2]).split('/').pop() === 'multilog') load(resolve(__dirname, ${JSON.stringify(early)}), module).catchSignals();`);
for (const file of seen) if (file !== EARLY) define(file);
parts.push(`
function load(file, parent) {
  const cached = require.cache[file];
  if (cached) return cached.exports;
  const m = new Module(file, parent);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dirname(file));
  require.cache[file] = m;
  const req = (id) => {
    if (id.startsWith('./') || id.startsWith('../')) {
      const target = resolve(dirname(file), id);
      if (defs[target]) return load(target, m);
    }
    return m.require(id);
  };
  req.cache = require.cache;
  req.resolve = (id, opts) => m.require.resolve ? require.resolve(id.startsWith('.') ? resolve(dirname(file), id) : id, opts) : id;
  defs[file].call(m.exports, m.exports, req, m, file, dirname(file));
  m.loaded = true;
  return m.exports;
}
load(resolve(__dirname, 'main.js'), module).start();
`);
fs.writeFileSync(path.join(dist, 'cli', 'launch.js'), parts.join('\n'));
