// daemontools watch: a line per change off a terminal, a redrawn coloured table on one; new
// services in the scan directory join; SIGINT ends it with exit 0.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { C_BIN } from '../helpers/paths.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from '../unit/api/fixture.js';
import { startDaemontools } from './daemontools-cli-run.js';

afterEach(cleanup);

const svc = (flag: string, dir: string): void => void execFileSync(join(C_BIN, 'svc'), [flag, dir]);
const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';

describe.skipIf(!HAVE_C)('daemontools watch', () => {
  test('off a terminal: one line per change, in svstat\'s words', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    const watch = startDaemontools(['watch', dir]);
    try {
      await watch.until(new RegExp(`${ISO} ${dir}: up \\(pid \\d+\\) \\d+ seconds\\n`));
      svc('-d', dir);
      await watch.until(new RegExp(`${ISO} ${dir}: down \\d+ seconds, normally up\\n`));
      svc('-u', dir);
      await watch.until(new RegExp(`down.*\\n${ISO} ${dir}: up \\(pid \\d+\\) \\d+ seconds\\n`, 's'));
      expect(watch.output()).not.toContain('\x1b[');
    } finally {
      process.kill(await watch.pid(), 'SIGINT');
    }
    const [code] = (await once(watch.child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  test('--json off a terminal, and a service added to the scan directory joins', async () => {
    const scandir = join(tempRoot(), 'service');
    const a = makeService(join(scandir, 'a'));
    await startC(a);
    const watch = startDaemontools(['watch', '--json', '--scandir', scandir]);
    try {
      await watch.until(/"service":"a".*"up":true/);
      const b = makeService(join(scandir, 'b'), { down: true });
      await watch.until(/"service":"b"/); // seen at once, not yet supervised
      await startC(b);
      await watch.until(/"service":"b","dir":"[^"]+","up":false,"pid":null/);
      for (const line of watch.output().trim().split('\n').slice(1)) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      process.kill(await watch.pid(), 'SIGINT');
    }
    await once(watch.child, 'exit');
  });

  test.skipIf(process.platform !== 'linux')('on a terminal: the table, coloured, redrawn on change', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    const watch = startDaemontools(['watch', dir], true);
    try {
      await watch.until(/\x1b\[H\x1b\[2J.*\x1b\[32mup\x1b\[0m/s);
      svc('-d', dir);
      await watch.until(/\x1b\[H\x1b\[2J[^\x1b]*\x1b\[2mSERVICE[^\n]*\n[^\n]*\x1b\[31mdown\x1b\[0m[^\n]*normally up/s);
    } finally {
      process.kill(await watch.pid(), 'SIGINT');
    }
    await once(watch.child, 'exit');
  });
});
