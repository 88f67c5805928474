#!/usr/bin/env node
// Puts one executable per program into bin/: the native launcher (built, or from prebuilds/),
// or, where there is none for this platform, a Node shim that runs without exec-state capture.
// With --portable (before packing) every program is the Node shim and nothing names this
// machine's node: npm links a package's bins before its postinstall runs, and skips any that are
// missing, so the tarball must carry them, and they must run anywhere until this script, run
// again at install, puts the launcher in their place.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = path.join(root, 'bin');
const programs = Object.keys(require(path.join(root, 'package.json')).bin);

function findLauncher() {
  const candidates = [
    path.join(root, 'build', 'Release', 'dt-launch'),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'dt-launch'),
  ];
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function writeAtomic(file, data, mode) {
  const tmp = `${file}.tmp${process.pid}`;
  fs.writeFileSync(tmp, data, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

/** What V8's --single-threaded turns off (the background GC, compile and dispatcher tasks), but
 * WebAssembly's, named one by one: --single-threaded itself counts in the flag hash V8 checks code
 * caches against, so with it Node compiles from source every builtin module it loads after its
 * snapshot (~7 M instructions a start here, 9 % of `node -e 0`); these leave its cache valid. */
const SINGLE_THREADED = [
  '--single-threaded-gc',
  '--no-concurrent-recompilation',
  '--no-concurrent-sparkplug',
  '--no-lazy-compile-dispatcher',
  '--no-parallel-compile-tasks-for-eager-toplevel',
  '--no-parallel-compile-tasks-for-lazy',
];

/** For a program that exits (or execs) within milliseconds: one V8 worker thread, not four, that
 * nothing here ever gives work to. Three threads fewer to create, and for setuidgid three fewer
 * to interrupt at each setgroups, setgid and setuid (glibc makes every thread change its ids).
 * Not a V8 flag: code caches stay valid. */
const SHORT_LIVED = ['--v8-pool-size=1'];

/** Node flags of a program's own, which the launcher reads from bin/.node-flags ("PROGRAM
 * FLAG..." a line). The long-lived programs keep V8's young generation small: an idle
 * supervision process should not carry tens of megabytes of semi-space touched once during a
 * burst of starts. */
const NODE_FLAGS = {
  // --expose-gc: once a burst of starts is over svscan collects its garbage at once
  // (src/lib/scan/settle.ts) instead of carrying it until V8's memory reducer runs seconds later;
  // that reducer then has nothing left to do but spend an idle tree's CPU (two full collections,
  // ~50 ms, some 16 s after the settle), so it is off. --v8-pool-size=1: one V8 worker thread, not
  // four; each worker's malloc arena stayed resident (~1 MB of an idle svscan's 18 at 100 services).
  svscan: ['--max-semi-space-size=1', '--expose-gc', '--no-memory-reducer', '--v8-pool-size=1'],
  supervise: ['--max-semi-space-size=1'],
  // multilog has none: what it allocates per read dies young, so its young generation stays at
  // V8's first size anyway (RSS idle and after 640 MB of input the same with the flag or without),
  // and the flag would make Node reject its builtin code cache: ~30 ms more CPU per start.
  svscanboot: ['--max-semi-space-size=1'],
  // The chain tools end in an execve that first restores the recorded limits: a small RLIMIT_AS
  // or RLIMIT_DATA then meets V8's background threads still running, and one that allocates just
  // then ends the process with std::bad_alloc before the exec (seen 2-6 times in 300 starts under
  // `softlimit -a 40000000`). Without background threads nothing else allocates in that moment.
  envdir: [...SINGLE_THREADED, ...SHORT_LIVED],
  envuidgid: [...SINGLE_THREADED, ...SHORT_LIVED],
  setuidgid: [...SINGLE_THREADED, ...SHORT_LIVED],
  softlimit: [...SINGLE_THREADED, ...SHORT_LIVED],
  setlock: [...SINGLE_THREADED, ...SHORT_LIVED],
  pgrphack: [...SINGLE_THREADED, ...SHORT_LIVED],
  svc: SHORT_LIVED,
  svok: SHORT_LIVED,
  svstat: SHORT_LIVED,
};

/** Node flags every program gets, before its own. --preserve-symlinks-main: the launcher names
 * dist/cli/launch.cjs by its own resolved path (/proc/self/exe), so Node need not resolve it again;
 * that realpath, done twice on the way to the main module, costs every start ~0.9 M instructions
 * (~1 % of `node -e 0`). --openssl-config=/dev/null: Node loads OpenSSL's configuration file
 * (/etc/ssl/openssl.cnf, or $OPENSSL_CONF) at every start, ~0.7 M instructions, for crypto that
 * none of ours uses; an empty one leaves OpenSSL its defaults. --no-global-search-paths: Node
 * works out at every start where require() would look for a package outside the requiring
 * module's node_modules ($HOME/.node_modules, $HOME/.node_libraries, $NODE_PATH, ~0.3 M
 * instructions), which ours never use: the packages they load are their own dependencies.
 * --no-experimental-global-webcrypto: Node sets up the Web Crypto globals (crypto, Crypto,
 * CryptoKey, SubtleCrypto) at every start, ~0.3 M instructions, and no code of ours uses them. None
 * is a V8 flag: V8 accepts the same code caches with them, Node's own built-in ones too (a V8 flag
 * that changes its hash makes V8 reject those, and the start compiles Node's modules from source);
 * ours are still made, and named, under each program's full list. */
const COMMON_FLAGS = ['--preserve-symlinks-main', '--openssl-config=/dev/null', '--no-global-search-paths', '--no-experimental-global-webcrypto'];

/**
 * The addon for a prebuild install (no build/Release), copied to bin/.daemontools.node, where the
 * launcher's loader (dist/cli/launch.cjs) and src/native/index.ts look after build/Release:
 * without it every program that loads the addon goes through node-gyp-build's search (~1 ms a
 * start) and the loader reads code caches through node:fs. A local build is loaded where it is.
 */
function prebuiltAddon() {
  if (fs.existsSync(path.join(root, 'build', 'Release', 'daemontools.node'))) return undefined;
  try {
    return require('node-gyp-build').path(root);
  } catch {
    return undefined;
  }
}

const portable = process.argv.includes('--portable');
const launcher = portable ? undefined : findLauncher();
// The signal-holding shim the launcher preloads into a standalone multilog (native/sigshim.c).
const shim = [
  path.join(root, 'build', 'Release', 'dt-sigshim.so'),
  path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'dt-sigshim.so'),
].find((file) => fs.existsSync(file));
fs.mkdirSync(bin, { recursive: true });
// The launcher reads the node to run from here (an npm install may not put node on a service's PATH).
if (portable) for (const file of ['.launch', '.node-flags', '.sigshim.so', '.daemontools.node']) fs.rmSync(path.join(bin, file), { force: true });
else {
  const addon = prebuiltAddon();
  if (addon) writeAtomic(path.join(bin, '.daemontools.node'), fs.readFileSync(addon), 0o755);
  else fs.rmSync(path.join(bin, '.daemontools.node'), { force: true });
  writeAtomic(path.join(bin, '.launch'), `${process.execPath}\n`, 0o644);
  const flags = programs.map((name) => `${name} ${[...COMMON_FLAGS, ...(NODE_FLAGS[name] ?? [])].join(' ')}\n`);
  writeAtomic(path.join(bin, '.node-flags'), flags.join(''), 0o644);
}
const image = launcher ? fs.readFileSync(launcher) : null;
for (const name of programs) {
  const shim = `#!/usr/bin/env node\n'use strict';\nrequire('../dist/cli/main.js').start(${JSON.stringify(name)});\n`;
  writeAtomic(path.join(bin, name), image ?? shim, 0o755);
}
if (launcher && shim) writeAtomic(path.join(bin, '.sigshim.so'), fs.readFileSync(shim), 0o644);
// The start-up bundles' V8 code caches are this node's and these flags' (none in a portable
// tarball). Without the script there are none, and dist/cli/launch.cjs compiles as Node would.
const codeCacheScript = path.join(__dirname, 'code-cache.cjs');
if (fs.existsSync(codeCacheScript)) {
  const codeCache = require(codeCacheScript);
  if (portable) codeCache.remove();
  else codeCache.makeAll();
}
if (!launcher && !portable) {
  process.stderr.write('daemontools: no native launcher for this platform; bin/ uses Node shims (exec state is not preserved)\n');
}
