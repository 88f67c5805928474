// What the figures were measured on: the machine, and the versions of everything compared.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { DROPPED_ENV } from './procs.mjs';
import { NODE, PM2, ROOT } from './services.mjs';

function quiet(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20000 }).trim();
  } catch {
    return null;
  }
}

const debVersion = (pkg) => quiet('dpkg-query', ['-W', '-f=${Version}', pkg]) || 'not installed';

function pm2Version() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'bench', '.peers', 'node_modules', 'pm2', 'package.json'), 'utf8')).version;
  } catch {
    return existsSync(PM2) ? 'unknown' : 'not installed';
  }
}

export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'unknown';
  return {
    cpus: availableParallelism(),
    model,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: release(),
    node: quiet(NODE, ['--version']) ?? process.version,
    load: loadavg().map((l) => l.toFixed(2)).join(' '),
    peers: {
      'daemontools (C)': debVersion('daemontools'),
      runit: debVersion('runit'),
      s6: debVersion('s6'),
      pm2: pm2Version(),
    },
    commit: quiet('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']) ?? 'unknown',
    dropped: DROPPED_ENV.filter((name) => process.env[name] !== undefined),
  };
}

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(file) : statSync(file).mtimeMs);
  }
  return latest;
}

/** A warning when src/ has changed since dist/ and bin/ were built, else null. */
export function staleBuild() {
  const launch = join(ROOT, 'dist', 'cli', 'launch.cjs');
  if (!existsSync(launch) || !existsSync(join(ROOT, 'bin', 'svc'))) return 'dist/ or bin/ missing: run with --build (or npm run compile)';
  return newest(join(ROOT, 'src')) > statSync(launch).mtimeMs ? 'src/ is newer than dist/: run with --build (or npm run compile) to measure the current code' : null;
}
