#!/usr/bin/env node
// Prints "-static" when this machine's C compiler can link a program statically, else nothing.
// binding.gyp links the launcher so on Linux: as the logger stub it is one process per logged
// service, and one that maps no shared C library keeps ~60 KB less of its own (the library's
// relocated data and ld.so's), as the release's musl-linked launcher does
// (scripts/prebuild-files.cjs). The other native programs stay dynamic: each runs once, and a
// static copy of the C library's code would be charged to it alone. Systems without a static
// libc (Fedora without glibc-static) build the launcher dynamically, as before.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function canLinkStatic() {
  if (process.platform !== 'linux') return false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dt-static-'));
  try {
    const src = path.join(dir, 'probe.c');
    fs.writeFileSync(src, '#include <unistd.h>\nint main(void) { return (int)getpid() < 0; }\n');
    execFileSync(process.env.CC || 'cc', ['-static', '-o', path.join(dir, 'probe'), src], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(canLinkStatic() ? '-static\n' : '\n');
