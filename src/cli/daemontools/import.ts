// `daemontools import ecosystem.config.js|.json [--env NAME] [--dry-run]`: pm2's ecosystem file,
// loaded as pm2 loads it (a CommonJS module is required, a .json file parsed), each app turned
// into `daemontools add` by lib/door/ecosystem.ts. Every app is checked before any is written.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, userInfo } from 'node:os';
import { dirname, extname, resolve } from 'node:path';
import { appsOf, EcosystemError, importApp, parseJsonWithComments, type ImportedApp } from '../../lib/door/ecosystem.js';
import { AddRefused, describePlan, planAdd, writePlan, type Planned } from '../../lib/door/install.js';
import { EXIT_OK, EXIT_USAGE } from '../../lib/exit-codes.js';
import { world } from './add.js';
import { EXIT_FAILURE, PROG, describe as describeError, type Out } from './actions.js';

export interface ImportOptions {
  readonly envName?: string;
  readonly dryRun: boolean;
  readonly svdir: string;
  readonly scandir: string;
  readonly check: boolean;
}

/** The file's contents as pm2 would have them. */
export function loadEcosystem(file: string): unknown {
  const path = resolve(file);
  const ext = extname(path);
  if (ext === '.json') return parseJsonWithComments(readFileSync(path, 'utf8'));
  if (ext === '.js' || ext === '.cjs') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path) as unknown;
  }
  throw new EcosystemError(`${file}: an ecosystem file is a .js, .cjs or .json file`);
}

const cpuCount = (): number => (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length);

export function importFile(file: string, options: ImportOptions, io: Out): number {
  let apps: ImportedApp[];
  try {
    const context = { baseDir: dirname(resolve(file)), envName: options.envName, cpus: cpuCount(), defaultUser: userInfo().username };
    const config = loadEcosystem(file);
    apps = appsOf(config).map((app) => importApp(app, context));
    if (config && typeof config === 'object' && 'deploy' in config) io.err(`${PROG}: warning: deploy: pm2's deployments are not carried over\n`);
  } catch (err) {
    io.err(`${PROG}: fatal: ${err instanceof EcosystemError ? err.message : `unable to load ${file}: ${describeError(err)}`}\n`);
    return err instanceof EcosystemError ? EXIT_USAGE : EXIT_FAILURE;
  }
  for (const app of apps) {
    for (const note of app.notes) io.err(`${PROG}: note: ${app.spec.name}: ${note}\n`);
    if (app.unsupported.length > 0) {
      io.err(`${PROG}: warning: ${app.spec.name}: no equivalent, not carried over:\n${app.unsupported.map((u) => `  ${u}\n`).join('')}`);
    }
  }
  const w = world();
  const planned: Planned[] = [];
  const problems: string[] = [];
  for (const app of apps) {
    try {
      planned.push(...planAdd({ spec: app.spec, instances: app.instances, port: app.port, svdir: options.svdir, scandir: options.scandir, check: options.check }, w));
    } catch (err) {
      if (!(err instanceof AddRefused)) throw err;
      problems.push(...err.problems.map((p) => `${app.spec.name}: ${p}`));
    }
  }
  const names = planned.map((p) => p.definition.name);
  for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`two apps are called ${dup}`);
  if (problems.length > 0) {
    io.err(problems.map((p) => `${PROG}: fatal: ${p}\n`).join('') + `${PROG}: nothing was written\n`);
    return EXIT_USAGE;
  }
  if (options.dryRun) {
    io.out(describePlan(planned));
    return EXIT_OK;
  }
  try {
    writePlan(planned, w);
  } catch (err) {
    io.err(`${PROG}: fatal: unable to write the services: ${describeError(err)}\n`);
    return EXIT_FAILURE;
  }
  for (const p of planned) io.out(`${p.definition.name}: added ${p.dir}, active as ${p.link}\n`);
  return EXIT_OK;
}
