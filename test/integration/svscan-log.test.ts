// The pipe from a service to its logger: svscan holds both ends, so while the logger is down or
// restarting the service keeps writing (no SIGPIPE) and every line reaches the next logger.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { alive, client, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';
import { linuxOnly } from '../helpers/profile.js';

/** Counts 1, 2, 3... a line every 20 ms. */
const COUNTER = '#!/bin/sh\ni=0\nwhile :; do i=$((i+1)); echo $i; sleep 0.02; done\n';
/**
 * The logger: our multilog, which finishes the line in hand on TERM (and, hosted in svscan, loses
 * nothing when killed). A `cat` would lose a chunk it had read when TERM or KILL came before its
 * write, as it would under C daemontools: that loss would be cat's, not the pipe's.
 */
const LOGGER = '#!/bin/sh\nexec multilog ./main\n';

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

/** What the loggers wrote, finished files in order and then current. */
function logged(): string[] {
  const dir = box.path('svc', 'a', 'log', 'main');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.startsWith('@')).sort();
  } catch {
    return [];
  }
  return [...files, 'current'].flatMap((f) => box.lines(`svc/a/log/main/${f}`));
}

/** The counter's lines as the loggers wrote them: 1..n without a gap or a repeat. */
function expectUnbroken(lines: readonly string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  lines.forEach((line, i) => expect(line, `line ${i + 1}`).toBe(String(i + 1)));
}

/** Stops the logger with svc `stop` (then starts it with `start`, if given) while the service writes. */
async function noLineLost(stop: readonly string[], start: readonly string[]): Promise<void> {
  box.service('a', COUNTER, { log: LOGGER });
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' });
  const service = await until('a up', () => box.pid(box.path('svc', 'a')) || undefined);
  const logger = await until('logger up', () => box.pid(box.path('svc', 'a', 'log')) || undefined);
  await until('some lines', () => logged().length >= 5);
  client('ours', 'svc', [...stop, 'svc/a/log'], box.root);
  await until('logger gone', () => !alive(logger));
  const stoppedAt = logged().length;
  // The service goes on writing into the pipe meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (start.length > 0) client('ours', 'svc', [...start, 'svc/a/log'], box.root);
  await until('the next logger', () => [box.pid(box.path('svc', 'a', 'log'))].find((p) => p !== 0 && p !== logger), 20000, () => svscan.stderr);
  await until('lines written while it was down', () => logged().length > stoppedAt + 10);
  expectUnbroken(logged());
  expect(box.pid(box.path('svc', 'a'))).toBe(service);
  expect(svscan.stderr).toBe('');
}

test.each([
  ['taken down and brought up again', ['-d'], ['-u']],
  ['gone with its supervisor (restarted on the next scan)', ['-dx'], []],
])('no line is lost while the logger is %s', async (_name, stop, start) => {
  await noLineLost(stop, start);
});

// KILL leaves a logger no time to write what it read: only a hosted one, whose engine is
// svscan's, loses nothing. A standalone one (the portable profile) would lose that chunk, as C's
// multilog would.
test.skipIf(linuxOnly('hosting'))('no line is lost while the logger is killed (restarted by its supervisor)', async () => {
  await noLineLost(['-k'], []);
});

/** A process's descriptors and what they point to (pipe:[inode], /dev/null...). */
function fds(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out[fd] = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      // closed between the listing and the look (svscan's own come and go)
    }
  }
  return out;
}

test("the service's stdout is the logger's stdin; stderr stays svscan's; no other descriptor leaks", async () => {
  box.service('a', '#!/bin/sh\necho to-stdout\necho to-stderr >&2\nexec sleep 1000\n', { log: '#!/bin/sh\nexec cat\n' });
  box.service('b', '#!/bin/sh\nexec sleep 1000\n');
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '3600' });
  await until('stderr', () => svscan.stderr !== '');
  expect(svscan.stderr).toBe('to-stderr\n');
  // Read once each ./run has become its program: the shell before it holds the script open on a
  // descriptor of its own.
  const execed = (dir: string, program: string): number | undefined => {
    const pid = box.pid(box.path('svc', ...dir.split('/')));
    try {
      return pid && readlinkSync(`/proc/${pid}/exe`).endsWith(`/${program}`) ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const service = fds(await until('a up', () => execed('a', 'sleep')));
  const logger = fds(await until('logger up', () => execed('a/log', 'cat')));
  const plain = fds(await until('b up', () => execed('b', 'sleep')));
  const ours = fds(svscan.pid);
  // Beyond 0-2, a child has only what svscan itself was handed (C passes those on too): none of
  // svscan's own descriptors (the log pipe, supervise/ files, the event loop's) leaks to it.
  for (const child of [service, logger, plain]) {
    for (const [fd, target] of Object.entries(child)) {
      if (['0', '1', '2'].includes(fd)) continue;
      expect(target, `fd ${fd}`).toBe(ours[fd]);
      expect(target).not.toBe(service['1']);
      expect(target).not.toMatch(/supervise|anon_inode/);
    }
  }
  expect(service['1']).toMatch(/^pipe:/);
  expect(logger['0']).toBe(service['1']);
  expect([service['0'], logger['1'], plain['0'], plain['1']]).toEqual([ours['0'], ours['1'], ours['0'], ours['1']]);
  expect([service['2'], logger['2'], plain['2']]).toEqual([ours['2'], ours['2'], ours['2']]);
});

test('a hosted logger reads its script as C does: a pattern in bytes that are not UTF-8, a directory named in UTF-8', async () => {
  box.service('a', "#!/bin/sh\nprintf 'keep\\ndrop \\351\\nkeep \\303\\251\\n'\nexec sleep 1000\n", {
    log: "#!/bin/sh\nexec multilog \"-*$(printf '\\351')*\" ./logé\n",
  });
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '3600' });
  const current = await until('logged', () => {
    try {
      const text = readFileSync(box.path('svc', 'a', 'log', 'logé', 'current'), 'latin1');
      return text.split('\n').length >= 3 ? text : undefined;
    } catch {
      return undefined;
    }
  });
  expect(current).toBe('keep\nkeep \xc3\xa9\n');
  expect(readdirSync(box.path('svc', 'a', 'log')).sort()).toEqual(['logé', 'run', 'supervise']);
  expect(svscan.stderr).toBe('');
});
