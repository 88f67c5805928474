// dist/cli/launch.cjs, the script the launcher runs (scripts/bundle.cjs writes it from this file):
// compiles the program's start-up bundle with the V8 code cache made for it, this node and these
// Node flags at install (scripts/code-cache.cjs); without a cache made for this bundle's hash, or
// if V8 rejects it (another node, other flags), compiles the bundle as Node would. Node 20 has no
// compile cache of its own for modules.
// The same text runs two ways: as the main module (`node FLAGS launch.cjs ARGV0 args...`), or,
// for the programs whose bin/.node-flags line ends in -e, as the code of `node FLAGS -e TEXT DIR
// ARGV0 args...` (native/launcher.c), DIR being this file's directory. `node -e 0`, the floor
// start-up is measured against, has already loaded vm and compiled through Node's eval path by the
// time it runs code, where a main module costs a resolve, a read and a compile more, and vm on top.
'use strict';
const { closeSync, openSync, readFileSync, readSync } = require('fs');
const { Script } = require('vm');

// Evaluated, the directory comes as the first argument (where a main module's path would be), as
// the launcher found it (bin/../dist/cli): resolved as Node resolves a main module's, since the
// bundle's modules are known by their resolved paths.
const evaluated = module.id === '[eval]';
const dir = evaluated ? require('path').resolve(process.argv[1]) : __dirname;

// The programs with a bundle of their own (written by scripts/bundle.cjs); the others share one.
const OWN = new Set();
const argv0 = String(process.argv[2]);
const program = argv0.slice(argv0.lastIndexOf('/') + 1);
const name = OWN.has(program) ? `launch-bundle.${program}` : 'launch-bundle';
const file = `${dir}/${name}.js`;
// As a string: Node reads UTF-8 in one call, where a first Buffer read costs ~0.4 ms.
const source = readFileSync(file, 'utf8');
const MAGIC = 'daemontools-code-cache 1\n';
const HASH = 64;

/** V8's data in the cache for these flags, if it was made for this bundle (its last line is "// sha256 HEX"). */
function cachedData() {
  // V8 rejects data made under other flags: each set has its own file (launch-bundle.svc.cache,
  // launch-bundle.envdir.single-threaded.cache); -e and its text are not among them.
  const nodeFlags = evaluated ? process.execArgv.slice(0, process.execArgv.lastIndexOf('-e')) : process.execArgv;
  const flags = nodeFlags.map((f) => `.${f.replace(/^-+/, '').replace(/[^\w=.-]/g, '_')}`).join('');
  let fd;
  try {
    fd = openSync(`${dir}/${name}${flags}.cache`, 'r');
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

function grown(array) {
  const bigger = new Uint8Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

const script = new Script(source, { filename: file, cachedData: cachedData() });
script.runInThisContext().call(module.exports, module.exports, require, module, file, dir);
