// The burst test: a service pours 200,000 numbered lines into its log pipe as fast as the logger
// takes them, while its logger (hosted in svscan) is killed with SIGKILL twice and restarted with
// TERM once. svscan holds the pipe, the hosted engine consumes only what it has written, and a
// killed logger's engine reads nothing more and lets go of the directory at once: the log files
// together hold the input byte for byte, and no logger meets a locked directory.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { ours } from '../helpers/paths.js';
import { killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const LINES = 200_000;
const boxes: ScanBox[] = [];
afterEach(() => {
  killAll();
  for (const b of boxes.splice(0)) b.remove();
});

/** Batches of 2,000 lines with a short breath between them, then a marker file. */
const service =
  `#!/bin/sh\nexec perl -e 'for my $b (0..${LINES / 2000 - 1}) { print join("", map { ($b*2000+$_)."\\n" } 1..2000); ` +
  `select(undef,undef,undef,0.02) } close STDOUT; open(W,">","done"); close W; sleep 100000'\n`;

/** Everything logged, the finished files in order and then current, as one stream of bytes. */
function logged(box: ScanBox): string {
  const dir = box.path('svc', 's', 'log', 'main');
  const files = readdirSync(dir).filter((f) => f.startsWith('@')).sort();
  return [...files, 'current'].map((f) => readFileSync(`${dir}/${f}`, 'latin1')).join('');
}

test('200,000 lines through a logger killed twice and restarted once: the log holds the input byte for byte', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const dir = box.service('s', service, { log: '#!/bin/sh\nexec multilog s999999 n50 ./main\n' });
  const scan = new RunningSvscan('ours', box.svc, ['.'], { SVSCAN_RESCAN_SECONDS: '3600' });
  const pids: number[] = [await until('the logger up', () => box.pid(`${dir}/log`) || undefined)];
  const next = async (): Promise<void> => {
    const pid = await until('the next logger', () => {
      const p = box.pid(`${dir}/log`);
      return p && !pids.includes(p) ? p : undefined;
    });
    pids.push(pid);
  };
  for (const letter of ['-k', '-k', '-t']) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    execFileSync(ours('svc'), [letter, `${dir}/log`]);
    await next();
  }
  await until('the burst written', () => (readdirSync(box.path('svc', 's')).includes('done') ? true : undefined), 60000);
  const input = Array.from({ length: LINES }, (_, i) => `${i + 1}\n`).join('');
  const stream = await until('every line logged', () => {
    const now = logged(box);
    return now.length >= input.length ? now : undefined;
  }, 30000);
  expect(pids).toHaveLength(4);
  // A kill can cut a line between two files, as it would with C; together they are the input.
  expect(stream.length).toBe(input.length);
  expect(stream === input).toBe(true);
  expect(scan.stderr).toBe('');
});
