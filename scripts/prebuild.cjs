#!/usr/bin/env node
// `npm run prebuild`: prebuildify the addon (N-API, so one build serves every Node version) into
// prebuilds/<platform>-<arch>/, and put the native programs beside it (scripts/prebuild-files.cjs
// lists them), so an install needs no compiler. With --if-missing (the prepack script, so that a
// packed tarball always carries this machine's prebuilds) it keeps a complete set that is newer
// than every native source, and builds otherwise.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { hostTarget, nativeFor, targetDir, targetFiles } = require('./prebuild-files.cjs');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const ifMissing = args.includes('--if-missing');
const prebuildifyArgs = args.filter((a) => a !== '--if-missing');
const target = path.join(root, 'prebuilds', targetDir(hostTarget()));

/** A complete set for this machine (addon untagged or tagged by its libc), newer than native/. */
function upToDate() {
  const sets = [targetFiles(hostTarget(false)), targetFiles(hostTarget(true))];
  const newestSource = Math.max(...['native', 'binding.gyp'].flatMap((p) => {
    const full = path.join(root, p);
    return fs.statSync(full).isDirectory() ? fs.readdirSync(full).map((f) => fs.statSync(path.join(full, f)).mtimeMs) : [fs.statSync(full).mtimeMs];
  }));
  return sets.some((files) => files.every((file) => {
    const full = path.join(root, file);
    return fs.existsSync(full) && fs.statSync(full).mtimeMs >= newestSource;
  }));
}

if (ifMissing && upToDate()) {
  process.stdout.write(`prebuilds/${path.basename(target)}: complete and newer than native/, kept\n`);
  process.exit(0);
}

const prebuildify = path.join(root, 'node_modules', 'prebuildify', 'bin.js');
execFileSync(process.execPath, [prebuildify, '--napi', '--strip', ...prebuildifyArgs], { cwd: root, stdio: 'inherit' });
fs.mkdirSync(target, { recursive: true });
for (const { file, mode } of nativeFor(process.platform)) {
  fs.copyFileSync(path.join(root, 'build', 'Release', file), path.join(target, file));
  fs.chmodSync(path.join(target, file), mode);
}
// prebuildify moves the addon out of build/Release; keep the local build loadable there too.
const addon = fs.readdirSync(target).filter((f) => f.endsWith('.node'))
  .sort((a, b) => fs.statSync(path.join(target, b)).mtimeMs - fs.statSync(path.join(target, a)).mtimeMs)[0];
fs.copyFileSync(path.join(target, addon), path.join(root, 'build', 'Release', 'daemontools.node'));
for (const file of fs.readdirSync(target).sort()) process.stdout.write(`prebuilds/${path.basename(target)}/${file}\n`);
