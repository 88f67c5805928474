#!/usr/bin/env node
// Prints the flags binding.gyp and CMakeLists.txt build the launcher with on Linux: linked
// statically, against musl where this machine has it (Debian's and Ubuntu's musl-tools), else
// against its own C library where that can link statically, else nothing (dynamic, as before:
// Fedora without glibc-static). `--compile` prints the compiler's part (musl's headers), the
// default the linker's. Why static: as the logger stub the launcher is one process per logged
// service, and one that maps no shared C library keeps ~60 KB less of its own (the library's
// relocated data and ld.so's). Why musl first: every bin/ program starts by exec'ing the launcher,
// and a static glibc program costs that exec ~0.3 ms more than a static musl one (its start-up
// resolves IFUNCs and sets up TLS, locale and stdio, in a 760 KB image against 80 KB): ~1 % of a
// `node -e 0` start here. The release's launcher is linked against musl too (in Alpine). The
// other native programs stay dynamic: each runs once, and a static copy of the C library's code
// would be charged to it alone.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CC = process.env.CC || 'cc';

/** Where musl's gcc wrapper keeps its specs file, by distribution; the wrapper's own line first. */
function muslSpecs() {
  const candidates = [];
  try {
    const wrapper = execFileSync('sh', ['-c', 'command -v musl-gcc'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const named = /-specs\s+"?([^"\s]+)"?/.exec(fs.readFileSync(wrapper, 'utf8'));
    if (named) candidates.push(named[1]);
  } catch {
    // no musl-gcc on PATH
  }
  candidates.push(`/usr/lib/${os.machine()}-linux-musl/musl-gcc.specs`, '/usr/lib/musl/lib/musl-gcc.specs', '/usr/local/musl/lib/musl-gcc.specs');
  return candidates.find((file) => fs.existsSync(file));
}

/** Do these flags compile and link a program that runs? */
function works(flags) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dt-static-'));
  try {
    const src = path.join(dir, 'probe.c');
    const out = path.join(dir, 'probe');
    fs.writeFileSync(src, '#include <signal.h>\n#include <unistd.h>\nint main(void) { sigset_t s; sigemptyset(&s); return (int)getpid() < 0; }\n');
    execFileSync(CC, [...flags, '-o', out, src], { stdio: 'ignore' });
    execFileSync(out, [], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** [compile flags, link flags]. */
function launcherFlags() {
  if (process.platform !== 'linux') return [[], []];
  const specs = process.env.DAEMONTOOLS_LAUNCHER_LIBC === 'system' ? undefined : muslSpecs();
  if (specs && works(['-specs', specs, '-static'])) return [['-specs', specs], ['-specs', specs, '-static']];
  return works(['-static']) ? [[], ['-static']] : [[], []];
}

const [compile, link] = launcherFlags();
process.stdout.write(`${(process.argv.includes('--compile') ? compile : link).join('\n')}\n`);
