#!/usr/bin/env node
// `npm run prebuild`: prebuildify the addon (N-API, so one build serves every Node version) into
// prebuilds/<platform>-<arch>/, and put the launcher beside it, so an install needs no compiler.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const prebuildify = path.join(root, 'node_modules', 'prebuildify', 'bin.js');
execFileSync(process.execPath, [prebuildify, '--napi', '--strip', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });

const launcher = path.join(root, 'build', 'Release', 'dt-launch');
const target = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
fs.mkdirSync(target, { recursive: true });
fs.copyFileSync(launcher, path.join(target, 'dt-launch'));
fs.chmodSync(path.join(target, 'dt-launch'), 0o755);
fs.copyFileSync(path.join(root, 'build', 'Release', 'dt-sigshim.so'), path.join(target, 'dt-sigshim.so'));
// prebuildify moves the addon out of build/Release; keep the local build loadable there too.
fs.copyFileSync(path.join(target, 'daemontools.node'), path.join(root, 'build', 'Release', 'daemontools.node'));
for (const file of fs.readdirSync(target)) process.stdout.write(`prebuilds/${path.basename(target)}/${file}\n`);
