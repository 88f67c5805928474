// Setup file of the `portable` test project: every process a test starts gets
// DAEMONTOOLS_PROFILE=portable, as it would if the user had set it in the shell. vitest's `env`
// puts it in process.env; this adds it to the environments tests build themselves ({ PATH } and
// the like), for our programs and C's alike, so side-by-side comparisons still compare like with like.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { PORTABLE_ENV } from './profile.js';

type Fn = (...args: unknown[]) => unknown;
const cp = childProcess as unknown as Record<string, Fn>;

const withProfile = (arg: unknown): unknown => {
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) return arg;
  const options = arg as { env?: NodeJS.ProcessEnv };
  return options.env === undefined ? arg : { ...options, env: { ...options.env, ...PORTABLE_ENV } };
};

for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']) {
  const real = cp[name];
  if (typeof real !== 'function') continue;
  cp[name] = function (this: unknown, ...args: unknown[]) {
    return real.apply(this, args.map(withProfile));
  };
}
// Test files import the named exports: point them at the wrappers.
syncBuiltinESMExports();
