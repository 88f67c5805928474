#!/usr/bin/env node
// The prebuilt files the package ships under prebuilds/<platform>-<arch>/, in one place: written
// by scripts/prebuild.cjs, checked by scripts/check-prebuilds.cjs (which the release workflow
// runs), copied by the cmake-js CI job, expected by the pack test. A new native program is one
// line in NATIVE. As a command: `release` prints every file of a release, `host` this machine's
// untagged prebuild, `native` the native programs built for this platform, `static` each program
// a release links statically here ("file source..." a line).
'use strict';
const fs = require('node:fs');

const ADDON = 'daemontools';

/** What `npm run prebuild` copies from build/Release beside the addon, and its C sources.
 * platforms: where it is built (all when absent); libcFree: loads under any C library; staticIn:
 * linked statically (against musl) in a release there, so that one program serves glibc and musl
 * systems alike. */
const NATIVE = [
  // Every bin/ program starts here (native/launcher.c), and a multilog under svscan stays here as
  // the logger stub (native/stub.c).
  { file: 'dt-launch', sources: ['native/launcher.c', 'native/stub.c'], mode: 0o755, staticIn: ['linux'] },
  // The start gate a supervisor spawns ./run through (src/lib/supervise/gate.ts).
  { file: 'dt-gate', sources: ['native/gate.c'], mode: 0o755, staticIn: ['linux'] },
  // The leader of the services' process group (src/lib/scan/group.ts).
  { file: 'dt-group', sources: ['native/group.c'], mode: 0o755, staticIn: ['linux'] },
  // Holds the log pipes while svscan is dead (src/lib/scan/keeper.ts).
  { file: 'dt-keeper', sources: ['native/keeper.c'], mode: 0o755, platforms: ['linux'], staticIn: ['linux'] },
  // Preloaded into a standalone multilog's Node.
  { file: 'dt-sigshim.so', sources: ['native/sigshim.c'], mode: 0o644, platforms: ['linux'], libcFree: true },
];

/** Every target a release ships; libcs: the addon is built once per C library, tagged by it. */
const RELEASE = [
  { platform: 'linux', arch: 'x64', libcs: ['glibc', 'musl'] },
  { platform: 'linux', arch: 'arm64', libcs: ['glibc', 'musl'] },
  { platform: 'darwin', arch: 'x64', libcs: [] },
  { platform: 'darwin', arch: 'arm64', libcs: [] },
];

const nativeFor = (platform) => NATIVE.filter((n) => !n.platforms || n.platforms.includes(platform));
const addonFiles = (libcs) => (libcs.length ? libcs.map((libc) => `${ADDON}.${libc}.node`) : [`${ADDON}.node`]);
const targetDir = ({ platform, arch }) => `${platform}-${arch}`;

/** The files of one target, as paths below the package root. */
function targetFiles(target) {
  const names = [...addonFiles(target.libcs), ...nativeFor(target.platform).map((n) => n.file)];
  return names.map((name) => `prebuilds/${targetDir(target)}/${name}`).sort();
}

const releaseFiles = () => RELEASE.flatMap(targetFiles).sort();

/** The C library node-gyp-build picks a prebuild for (it tells musl by Alpine's release file). */
function hostLibc() {
  if (process.platform !== 'linux') return undefined;
  return process.env.LIBC || (fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
}

/** This machine's target, with the addon untagged (`npm run prebuild`) or tagged (`-- --tag-libc`). */
function hostTarget(tagged = false) {
  const libc = hostLibc();
  return { platform: process.platform, arch: process.arch, libcs: tagged && libc ? [libc] : [] };
}

module.exports = { ADDON, NATIVE, RELEASE, nativeFor, addonFiles, targetDir, targetFiles, releaseFiles, hostLibc, hostTarget };

if (require.main === module) {
  const lists = {
    release: releaseFiles,
    host: () => targetFiles(hostTarget()),
    native: () => nativeFor(process.platform).map((n) => n.file),
    static: () => nativeFor(process.platform).filter((n) => n.staticIn?.includes(process.platform)).map((n) => `${n.file} ${n.sources.join(' ')}`),
  };
  const list = lists[process.argv[2]];
  if (!list) {
    process.stderr.write(`usage: prebuild-files.cjs ${Object.keys(lists).join('|')}\n`);
    process.exit(100);
  }
  for (const line of list()) process.stdout.write(`${line}\n`);
}
