// A hosted logger outlives svscan's death as an ordinary Node multilog (same pid), and the next
// svscan takes it back into its event loop: the same pid becomes a stub again, no line is lost
// or doubled, and svc still acts on it (ALRM rotates, TERM ends it).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { recordField, STATE_VAR } from '../../src/lib/exec/captured.js';
import { ours } from '../helpers/paths.js';
import { alive, countIn, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const boxes: ScanBox[] = [];
afterEach(() => {
  killAll();
  for (const b of boxes.splice(0)) b.remove();
});

/** Numbered lines, one every 5 ms, for as long as it runs. */
const service =
  `#!/bin/sh\nexec perl -e '$|=1; my $i=0; $SIG{TERM}=sub{ open(W,">","written"); print W "$i\\n"; close W; exit 0 }; ` +
  `while(1){ $i++; print "$i\\n"; select(undef,undef,undef,0.005) }'\n`;

const exe = (pid: number): string => readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');

function logged(box: ScanBox): string[] {
  const dir = box.path('svc', 's', 'log', 'main');
  const files = readdirSync(dir).filter((f) => f.startsWith('@')).sort();
  return [...files, 'current'].flatMap((f) =>
    readFileSync(`${dir}/${f}`, 'latin1')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^@[0-9a-f]{24} /, '')),
  );
}

test.skipIf(process.platform !== 'linux')('after svscan is SIGKILLed, the next svscan takes its logger back: same pid, a stub again, nothing lost', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const dir = box.service('s', service, { log: '#!/bin/sh\nexec multilog t ./main\n' });
  const env = { SVSCAN_RESCAN_SECONDS: '3600' };
  let scan = new RunningSvscan('ours', box.svc, ['.'], env);
  const logger = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
  const servicePid = box.pid(dir);
  await until('the logger a stub', () => (exe(logger) === ours('multilog') ? true : undefined));

  for (let round = 1; round <= 3; round++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    scan.signal('SIGKILL');
    await scan.exited;
    // Alone, the stub runs the engine itself: a Node process, the same pid.
    await until(`round ${round}: the logger on its own`, () => (exe(logger) === process.execPath ? true : undefined));
    // ...and it shows as C's multilog would: comm and the argv its run script gave it.
    const shown = (): string => readFileSync(`/proc/${logger}/comm`, 'latin1') + readFileSync(`/proc/${logger}/cmdline`, 'latin1');
    await until(`round ${round}: the logger shown as multilog`, () => (shown() === 'multilog\nmultilog\0t\0./main\0' ? true : undefined), 10000, shown);
    await new Promise((resolve) => setTimeout(resolve, 200));
    scan = new RunningSvscan('ours', box.svc, ['.'], env);
    await until(`round ${round}: the logger a stub again`, () => (exe(logger) === ours('multilog') ? true : undefined), 10000, () => scan.stderr);
    expect(box.pid(`${dir}/log`)).toBe(logger);
    expect(box.pid(dir)).toBe(servicePid);
  }

  // svscan's deaths are no crash of the logger's: current was gone on with, never set aside as .u.
  expect(readdirSync(box.path('svc', 's', 'log', 'main')).filter((f) => f.endsWith('.u'))).toEqual([]);
  // svc -a reaches the new host through the stub: current is rotated.
  const before = readdirSync(box.path('svc', 's', 'log', 'main')).filter((f) => f.startsWith('@')).length;
  execFileSync(ours('svc'), ['-a', `${dir}/log`]);
  await until('rotated', () => (readdirSync(box.path('svc', 's', 'log', 'main')).filter((f) => f.startsWith('@')).length > before ? true : undefined));

  execFileSync(ours('svc'), ['-d', dir]);
  const written = await until('the count', () => countIn(box.path('svc', 's', 'written')));
  await until('every line logged', () => (logged(box).length >= written ? true : undefined));
  expect(logged(box)).toEqual(Array.from({ length: written }, (_, i) => String(i + 1)));
  // svc -d on the logger: TERM, relayed by the stub to its engine, which finishes and exits 0.
  execFileSync(ours('svc'), ['-d', `${dir}/log`]);
  await until('the logger down', () => (box.pid(`${dir}/log`) === 0 ? true : undefined));
  expect(scan.stderr).toBe('');
});

test.skipIf(process.platform !== 'linux')('a TERM the dying host never carried out is not lost: the logger, alone, finishes its line and exits', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const dir = box.service('s', service, { log: '#!/bin/sh\nexec multilog t ./main\n' });
  const scan = new RunningSvscan('ours', box.svc, ['.'], { SVSCAN_RESCAN_SECONDS: '3600' });
  const logger = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
  await until('the logger a stub', () => (exe(logger) === ours('multilog') ? true : undefined));
  await until('a line logged', () => (existsSync(box.path('svc', 's', 'log', 'main', 'current')) && logged(box).length > 0 ? true : undefined));
  // The stub relays the TERM to a host that is stopped, and that host dies without acting on it.
  scan.signal('SIGSTOP');
  process.kill(logger, 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 100));
  scan.signal('SIGKILL');
  await scan.exited;
  await until('the logger gone', () => (alive(logger) ? undefined : true), 10000);
  const lines = logged(box);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines).toEqual(Array.from({ length: lines.length }, (_, i) => String(i + 1)));
  expect(readFileSync(box.path('svc', 's', 'log', 'main', 'current'), 'latin1').endsWith('\n')).toBe(true);
});

test.skipIf(process.platform !== 'linux')('taken back, the logger keeps its own recorded state: what the hand-over blocked is not recorded as blocked', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const dir = box.service('s', service, { log: '#!/bin/sh\nexec multilog t ./main\n' });
  const env = { SVSCAN_RESCAN_SECONDS: '3600' };
  /** The record of the logger's state the launcher made (the Node multilog a hostless stub becomes has it in its environment). */
  const aloneRecord = async (logger: number, scan: RunningSvscan): Promise<string> => {
    scan.signal('SIGKILL');
    await scan.exited;
    // The kernel names the new exe before it lays out the new environment: until then environ reads empty.
    const text = await until('the logger on its own', () => {
      if (exe(logger) !== process.execPath) return undefined;
      return readFileSync(`/proc/${logger}/environ`, 'latin1') || undefined;
    });
    const environ = text.split('\0');
    return environ.find((e) => e.startsWith(`${STATE_VAR}=`))?.slice(STATE_VAR.length + 1) ?? '';
  };
  let scan = new RunningSvscan('ours', box.svc, ['.'], env);
  const logger = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
  await until('the logger a stub', () => (exe(logger) === ours('multilog') ? true : undefined));
  const first = await aloneRecord(logger, scan);
  scan = new RunningSvscan('ours', box.svc, ['.'], env);
  await until('the logger a stub again', () => (exe(logger) === ours('multilog') ? true : undefined), 10000, () => scan.stderr);
  const again = await aloneRecord(logger, scan);
  expect(recordField(first, 'm')).toBeDefined();
  for (const field of ['i', 'm', 'r']) expect(recordField(again, field), field).toBe(recordField(first, field));
});
