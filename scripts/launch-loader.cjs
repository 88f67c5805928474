// dist/cli/launch.cjs, the script the launcher runs (scripts/bundle.cjs writes it from this file):
// compiles the program's start-up bundle with the V8 code cache made for it, this node and these
// Node flags at install (scripts/code-cache.cjs); without a cache made for this bundle's hash, or
// if V8 rejects it (another node, other flags), compiles the bundle as Node would. Node 20 has no
// compile cache of its own for modules. Its work is done at its top level, which V8 compiles with
// the script: a function here would be compiled again on its first call (~0.5 M instructions).
'use strict';
const { closeSync, openSync, readFileSync, readSync } = require('fs');
const { Script } = require('vm');

// The programs with a bundle of their own (written by scripts/bundle.cjs); the others share one.
const OWN = new Set();
// The programs whose bundle never loads the addon (scripts/bundle.cjs writes the set).
const ADDONLESS = new Set();
const argv0 = String(process.argv[2]);
const program = argv0.slice(argv0.lastIndexOf('/') + 1);
const name = OWN.has(program) ? `launch-bundle.${program}` : 'launch-bundle';
const file = `${__dirname}/${name}.js`;
// As a string: Node reads UTF-8 in one call, where a first Buffer read costs ~0.4 ms.
const source = readFileSync(file, 'utf8');

// The cache's name says what it was made for, as scripts/code-cache.cjs names it: the bundle, by
// the first 16 digits of the hash its last line names ("// sha256 HEX": a name, not a header to
// compare, spares a start ~0.4 M instructions); and, since V8 rejects data made under other
// flags, the shared bundle's flags, by a hash of them (launch-bundle.1a2b3c4d.0123456789abcdef.cache).
// A program's own bundle has one, for the flags its launcher passes (bin/.node-flags), and a
// start spares hashing them.
const cacheFile = `${__dirname}/${name}${name === 'launch-bundle' ? flagsTag(process.execArgv) : ''}.${source.slice(-64, -48)}.cache`;

// The cache is read with open, read and close: for a program that loads the addon, the addon's,
// where this install has one (the local build, else the prebuild scripts/install-bin.cjs copied
// into bin/; src/native/index.ts looks in the same two places), and the program takes the addon
// from here instead of loading it again; else node:fs's. Node's, compiled on their first call,
// cost a start ~1.1 M instructions more than three of the addon's; loading the addon costs ~0.25
// ms of its own, which a program that never needs it is spared.
let addon;
if (!ADDONLESS.has(program)) {
  for (const at of ['build/Release/daemontools.node', 'bin/.daemontools.node']) {
    try {
      const loaded = { exports: {} };
      process.dlopen(loaded, `${__dirname}/../../${at}`);
      addon = process[Symbol.for('daemontools.addon')] = loaded.exports;
      break;
    } catch {
      // not there: the next
    }
  }
}
const read = addon?.get('read');

// V8's data, read into an array (readFileSync's Buffer path costs a start ~0.3 ms more).
let cachedData;
let fd = -1;
try {
  fd = read ? addon.get('open')(cacheFile, 0, 0) : openSync(cacheFile, 'r');
} catch {
  // none made for this bundle and these flags: compiled as Node would
}
if (fd >= 0) {
  let cache = new Uint8Array(1 << 18);
  let length = 0;
  try {
    for (let n; (n = read ? read(fd, cache, length, cache.length - length) : readSync(fd, cache, length, cache.length - length, null)) > 0; ) {
      length += n;
      if (length < cache.length) continue;
      const bigger = new Uint8Array(length * 2);
      bigger.set(cache);
      cache = bigger;
    }
    cachedData = new Uint8Array(cache.buffer, 0, length);
  } catch {
    // unreadable: compiled as Node would
  } finally {
    if (read) addon.get('close')(fd);
    else closeSync(fd);
  }
}

// ".HEX" for the flags, as scripts/code-cache.cjs names the caches: scripts/bundle.cjs writes that
// function's text in place of this line, so that a start loads no module for it.
const flagsTag = require('./code-cache.cjs').flagsTag;

const script = new Script(source, { filename: file, cachedData });
script.runInThisContext().call(module.exports, module.exports, require, module, file, __dirname);
