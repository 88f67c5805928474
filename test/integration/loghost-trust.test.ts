// What the log host believes of a logger stub: the kernel, not its record. A hosted logger's
// processor gets what C multilog's gets (the logger's descriptors, limits and signals), nothing of
// svscan's; a child of svscan that connects and lies about itself is refused.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { fixture, HAVE_C, ours, theirs } from '../helpers/paths.js';
import { client, killAll, RunningSvscan, ScanBox, until, type Side } from './svscan-harness.js';

const boxes: ScanBox[] = [];
afterEach(() => {
  killAll();
  for (const b of boxes.splice(0)) b.remove();
});

const LINUX = process.platform === 'linux';
const service = '#!/bin/sh\nwhile :; do echo hello; sleep 0.1; done\n';
/** The logger's own state, as the log/run sets it up: descriptors, limits, an ignored signal. */
const setup = 'exec 7</etc/hostname\nexec 8</etc/passwd\nulimit -S -n 300\nulimit -H -n 400\ntrap "" HUP\nPATH=/usr/bin:/bin\nexport PATH\n';

/** Starts svscan on a service whose logger is `logger` (a command line); returns the box and its log dir. */
async function logged(side: Side, logger: string, env: Record<string, string> = {}, first = '', wrap: readonly string[] = []): Promise<{ box: ScanBox; log: string }> {
  const box = new ScanBox();
  boxes.push(box);
  const exports = Object.entries(env).map(([k, v]) => `${k}=${v}\nexport ${k}\n`).join('');
  const dir = box.service('x', service, { log: `#!/bin/sh\n${setup}${exports}${first}exec ${logger}\n` });
  new RunningSvscan(side, box.svc, ['.'], { SVSCAN_RESCAN_SECONDS: '3600' }, wrap);
  return { box, log: `${dir}/log` };
}

/** svc -a on the logger until its processor (the probe) has left its report as an @ file. */
async function processorReport(box: ScanBox, log: string): Promise<string> {
  const main = `${log}/main`;
  await until('logging', () => existsSync(`${main}/current`) && readFileSync(`${main}/current`).length > 0);
  client('c', 'svc', ['-a', log], box.root);
  const report = await until('the processor report', () => readdirSync(main).find((f) => /^@.*\.s$/.test(f)));
  // The root differs between boxes; everything else is compared as it is.
  return readFileSync(`${main}/${report}`, 'latin1').split(box.root).join('ROOT');
}

/** Runs svscan with umask 077. */
const UMASK_077 = ['/bin/sh', '-c', 'umask 077; exec "$0" "$@"'];

const fdLines = (report: string): string[] => report.split('\n').filter((l) => l.startsWith('fd '));

test.skipIf(!LINUX || !HAVE_C)("a hosted logger's processor gets what C multilog's processor gets", async () => {
  const reports: Record<Side, string> = { ours: '', c: '' };
  for (const side of ['ours', 'c'] as const) {
    const multilog = side === 'ours' ? ours('multilog') : theirs('multilog');
    // svscan's own umask is not the processor's: multilog's (022) is.
    const { box, log } = await logged(side, `${multilog} s4096 '!exec ${fixture('probe')}' ./main`, {}, '', UMASK_077);
    reports[side] = await processorReport(box, log);
    if (side === 'ours') {
      // It was hosted: the logger is our launcher (a stub), not a Node multilog.
      expect(readlinkSync(`/proc/${box.pid(log)}/exe`).replace(/ \(deleted\)$/, '')).toBe(ours('multilog'));
    }
    killAll();
  }
  expect(reports.ours).toMatch(/^fd 7 file r .* \/etc\/hostname( |$)/m);
  expect(reports.ours).toMatch(/^fd 8 file r .* \/etc\/passwd( |$)/m);
  expect(reports.ours).toBe(reports.c);
});

const lies = [
  ['descriptors it does not have (in svscan they are svscan\'s)', 'fds'],
  ['every limit unlimited', 'limits'],
  ['a ledger and bin that are its stdout and stdin', 'ledger'],
] as const;

test.skipIf(!LINUX).each(lies)('a child of svscan whose record claims %s is refused', async (_what, lie) => {
  const box0 = new ScanBox();
  boxes.push(box0);
  const out = box0.path('answer');
  const { box, log } = await logged('ours', `${fixture('fakestub')} s4096 '!exec ${fixture('probe')}' ./main`, { FAKESTUB_LIE: lie, FAKESTUB_OUT: out });
  // The stub creates the file, then writes its line: an empty file is not yet the answer.
  const answer = await until('the answer', () => (existsSync(out) && readFileSync(out, 'latin1').endsWith('\n') ? readFileSync(out, 'latin1') : undefined));
  expect(answer).toBe('refused\n');
  // Nothing was hosted for it: no log directory made, no processor run for it by svscan.
  client('c', 'svc', ['-a', log], box.root);
  expect(existsSync(`${log}/main`)).toBe(false);
});

test.skipIf(!LINUX)('a child of svscan that tells the truth is hosted with its own state only', async () => {
  const box0 = new ScanBox();
  boxes.push(box0);
  const out = box0.path('answer');
  const before = box0.path('before');
  // What log/run hands the stub, seen by a child of its own (fd 1 aside).
  const stub = `${fixture('fakestub')} s4096 '!exec ${fixture('probe')}' ./main`;
  const { box, log } = await logged('ours', stub, { FAKESTUB_LIE: 'none', FAKESTUB_OUT: out, BEFORE: before }, `${fixture('probe')} > "$BEFORE"\n`);
  const report = await processorReport(box, log);
  expect(existsSync(out)).toBe(false); // neither refused nor ended
  // Its descriptors (7 and 8 from log/run, whatever else it inherited) and the processor's own; none of svscan's.
  const PLACED = new Set([0, 1, 2, 4, 5]);
  const inherited = fdLines(readFileSync(before, 'latin1')).filter((l) => !PLACED.has(Number(l.split(' ')[1])));
  const got = fdLines(report);
  expect(got.map((l) => Number(l.split(' ')[1]))).toEqual([...PLACED, ...inherited.map((l) => Number(l.split(' ')[1]))].sort((a, b) => a - b));
  expect(got.filter((l) => !PLACED.has(Number(l.split(' ')[1])))).toEqual(inherited);
  expect(report).toMatch(/^fd 7 file r .* \/etc\/hostname( |$)/m);
  // Its limits and ignored signals, not svscan's.
  expect(report).toMatch(/^rlimit 7 300 400$/m);
  expect(report).toMatch(/^ignored 1( |$)/m);
});

test.skipIf(!LINUX)('a multilog talks to no host but its parent: a stranger listening at its parent\'s name gets nothing', async () => {
  const box = new ScanBox();
  boxes.push(box);
  // Another process holds daemontools-host/<our pid> (abstract names have no owner) and counts what it is sent.
  const stranger = spawn(process.execPath, ['-e', `require('net').createServer((c) => { let n = 0; c.on('data', (d) => (n += d.length)); c.on('close', () => console.log('got ' + n)); }).listen('\\0daemontools-host/${process.pid}', () => console.log('ready'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let said = '';
  stranger.stdout!.setEncoding('latin1').on('data', (t: string) => (said += t));
  try {
    await until('the stranger listening', () => said.includes('ready'));
    // Our child, so its parent's name is that one: it runs as a multilog of its own instead.
    const logger = spawn(ours('multilog'), ['t', './main'], { cwd: box.root, stdio: ['pipe', 'ignore', 'inherit'], env: { PATH: '/usr/bin:/bin' } });
    logger.stdin!.end('one line\n');
    const code = await new Promise((resolve) => logger.on('exit', resolve));
    expect(code).toBe(0);
    expect(box.lines('main/current').map((l) => l.replace(/^@[0-9a-f]{24} /, ''))).toEqual(['one line']);
    await until('the stranger told', () => said.includes('got '));
    expect(said).toBe('ready\ngot 0\n');
  } finally {
    stranger.kill('SIGKILL');
  }
});
