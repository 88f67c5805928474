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
const argv0 = String(process.argv[2]);
const program = argv0.slice(argv0.lastIndexOf('/') + 1);
const name = OWN.has(program) ? `launch-bundle.${program}` : 'launch-bundle';
const file = `${__dirname}/${name}.js`;
// As a string: Node reads UTF-8 in one call, where a first Buffer read costs ~0.4 ms.
const source = readFileSync(file, 'utf8');
const MAGIC = 'daemontools-code-cache 1\n';
const HASH = 64;

/** V8's data in the cache for these flags, if it was made for this bundle (its last line is "// sha256 HEX"). */
function cachedData() {
  // V8 rejects data made under other flags: each set has its own file, named by a hash of them
  // (launch-bundle.svc.1a2b3c4d.cache), as scripts/code-cache.cjs names it.
  let fd;
  try {
    fd = openSync(`${__dirname}/${name}${flagsTag(process.execArgv)}.cache`, 'r');
  } catch {
    return undefined;
  }
  // Read into an array, not with readFileSync: its Buffer path costs a start ~0.3 ms more.
  let cache = new Uint8Array(1 << 18);
  let length = 0;
  try {
    for (let n; (n = readSync(fd, cache, length, cache.length - length, null)) > 0; ) {
      length += n;
      if (length === cache.length) cache = grown(cache);
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  const head = MAGIC + source.slice(-HASH);
  for (let i = 0; i < head.length; i++) if (cache[i] !== head.charCodeAt(i)) return undefined;
  return cache.subarray(head.length, length);
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
