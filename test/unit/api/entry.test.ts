// The package entry points as users load them: `require('daemontools')` and
// `import ... from 'daemontools'` (through package.json "exports") give the same single instance.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT } from '../../helpers/paths.js';

const app = mkdtempSync(join(tmpdir(), 'dt-entry-'));
mkdirSync(join(app, 'node_modules'));
symlinkSync(ROOT, join(app, 'node_modules', 'daemontools'));
afterAll(() => rmSync(app, { recursive: true, force: true }));

const EXPORTS = [
  'DaemontoolsError',
  'SERVICE_COMMANDS',
  'diffStates',
  'isDaemontoolsError',
  'isServiceCommand',
  'isSupervised',
  'listServices',
  'listServicesSync',
  'readState',
  'readStatus',
  'readStatusSync',
  'sendCommand',
  'startScanner',
  'supervise',
  'waitFor',
  'watchEvents',
  'watchState',
  'watchStatus',
];

test.each([
  ['require', `const d = require('daemontools'); console.log(JSON.stringify(Object.keys(d).filter((k) => k !== '__esModule').sort()))`, []],
  ['import', `import * as d from 'daemontools'; console.log(JSON.stringify(Object.keys(d).filter((k) => k !== 'default' && k !== '__esModule').sort()))`, ['--input-type=module']],
])('%s gives every export', (_how, code, flags) => {
  const out = execFileSync(process.execPath, [...flags, '-e', code], { cwd: app, encoding: 'utf8' });
  expect(JSON.parse(out)).toEqual(EXPORTS);
});

test('import and require share one instance (one DaemontoolsError class)', () => {
  const code = `import { createRequire } from 'node:module';
import { DaemontoolsError, readStatus } from 'daemontools';
const cjs = createRequire(process.cwd() + '/x.js')('daemontools');
console.log(cjs.DaemontoolsError === DaemontoolsError && cjs.readStatus === readStatus);`;
  expect(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: app, encoding: 'utf8' }).trim()).toBe('true');
});

test('the types check in an ESM and a CommonJS consumer', { timeout: 120_000 }, () => {
  const body = `
const status: ServiceStatus = readStatusSync('/service/web');
const since: Date = status.since;
const pid: number | null = status.pid;
sendCommand('/service/web', 'up', 'term');
// @ts-expect-error: not a command supervise knows
sendCommand('/service/web', 'restart');
try {
  readStatusSync('/service/db');
} catch (err) {
  if (err instanceof DaemontoolsError && err.code === 'ERR_NOT_SUPERVISED') console.log(err.service, since, pid);
  // @ts-expect-error: codes are a closed set
  if (err instanceof DaemontoolsError && err.code === 'ENOENT') console.log('never');
}
void waitFor('/service/web', (s) => s.up && !s.paused, { timeout: 1000, signal: AbortSignal.timeout(2000) });
`;
  const imports = `{ DaemontoolsError, readStatusSync, sendCommand, waitFor, type ServiceStatus }`;
  const dir = join(app, 'types');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'esm.mts'), `import ${imports} from 'daemontools';\n${body}`);
  writeFileSync(join(dir, 'cjs.cts'), `import ${imports} from 'daemontools';\n${body}`);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'ES2022', strict: true, noEmit: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
      files: ['esm.mts', 'cjs.cts'],
    }),
  );
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});
