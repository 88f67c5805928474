// dist/cli/launch.cjs, the script the launcher runs (scripts/bundle.cjs writes it from this file):
// compiles the program's start-up bundle with the V8 code cache made for it, this node and these
// Node flags at install (scripts/code-cache.cjs); without a cache made for this bundle's hash, or
// if V8 rejects it (another node, other flags), compiles the bundle as Node would. Node 20 has no
// compile cache of its own for modules.
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
const HASH = 64;

/** V8's data in the cache for these flags, if one was made for this bundle (its last line is "// sha256 HEX"). */
function cachedData() {
  // The file's name says what it was made for, as scripts/code-cache.cjs names it: the bundle, by
  // the first 16 digits of its hash (a name, not a header to compare, spares a start ~0.4 M
  // instructions); and, since V8 rejects data made under other flags, the shared bundle's flags,
  // by a hash of them (launch-bundle.1a2b3c4d.0123456789abcdef.cache). A program's own bundle has
  // one, for the flags its launcher passes (bin/.node-flags), and a start spares hashing them.
  const made = `.${source.slice(-HASH, 16 - HASH)}.cache`;
  const path = `${__dirname}/${name}${name === 'launch-bundle' ? flagsTag(process.execArgv) : ''}${made}`;
  const io = fileCalls();
  let fd;
  try {
    fd = io.open(path);
  } catch {
    return undefined;
  }
  // Read into an array, not with readFileSync: its Buffer path costs a start ~0.3 ms more.
  let cache = new Uint8Array(1 << 18);
  let length = 0;
  try {
    for (let n; (n = io.read(fd, cache, length, cache.length - length)) > 0; ) {
      length += n;
      if (length === cache.length) cache = grown(cache);
    }
  } catch {
    return undefined;
  } finally {
    io.close(fd);
  }
  return new Uint8Array(cache.buffer, 0, length);
}

/**
 * open, read and close for the cache: for a program that loads the addon, the addon's, where this
 * install has one (the local build, or the prebuild copied into bin/), and the program
 * takes it from here (src/native/index.ts) instead of loading it again; else node:fs's. Node's,
 * compiled on their first call, cost a start ~1.1 M instructions more than three of the addon's;
 * loading the addon costs ~0.25 ms of its own, which a program that never needs it is spared.
 */
function fileCalls() {
  const addon = ADDONLESS.has(program) ? undefined : loadAddon();
  const read = addon?.get('read');
  if (read) {
    const [open, close] = [addon.get('open'), addon.get('close')];
    return { open: (path) => open(path, 0, 0), read, close };
  }
  return { open: (path) => openSync(path, 'r'), read: (fd, array, at, length) => readSync(fd, array, at, length, null), close: closeSync };
}

/**
 * The addon's exports, handed to the program, or undefined where this install has none: the local
 * build, else the prebuild scripts/install-bin.cjs copied into bin/ (src/native/index.ts looks in
 * the same two places).
 */
function loadAddon() {
  for (const file of ['build/Release/daemontools.node', 'bin/.daemontools.node']) {
    try {
      const addon = { exports: {} };
      process.dlopen(addon, `${__dirname}/../../${file}`);
      return (process[Symbol.for('daemontools.addon')] = addon.exports);
    } catch {
      // not there: the next
    }
  }
  return undefined;
}

// ".HEX" for the flags, as scripts/code-cache.cjs names the caches: scripts/bundle.cjs writes that
// function's text in place of this line, so that a start loads no module for it.
const flagsTag = require('./code-cache.cjs').flagsTag;

function grown(array) {
  const bigger = new Uint8Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

const script = new Script(source, { filename: file, cachedData: cachedData() });
script.runInThisContext().call(module.exports, module.exports, require, module, file, __dirname);
