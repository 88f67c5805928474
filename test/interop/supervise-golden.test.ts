// supervise against C's supervise: start-up failures word for word, the files it makes, the lock
// that keeps a C supervise and ours apart, ./run missing or not executable, the exact process
// state ./run gets, svc -x, and what signals sent to supervise itself do.
import { symlinkSync, lstatSync, mkdirSync, readdirSync, writeFileSync, chmodSync, rmSync, renameSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { fixture, HAVE_C } from '../helpers/paths.js';
import { Sandbox, SIDES, type Side } from '../integration/sv-golden.js';
import { alive, killAll, RunningSupervise, Service, until } from './supervise-harness.js';

const box = new Sandbox();
afterEach(killAll);
afterAll(() => box.remove());

const SLEEPER = '#!/bin/sh\necho $$ >> pids\nexec sleep 1000\n';
let serial = 0;
const service = (run: string | null = SLEEPER, options: { down?: boolean } = {}): Service =>
  new Service(box, `s${++serial}`, run, options);

describe.skipIf(!HAVE_C)('supervise', () => {
  describe('usage and start-up failures', () => {
    // Each case makes a fresh directory (name "X" in the expected text) for each side.
    test.each<[string, (dir: string) => string[], string]>([
      ['no directory', () => [], 'supervise: usage: supervise dir\n'],
      ['two directories', (d) => [d, d], 'supervise: usage: supervise dir\n'],
      ['missing directory', (d) => [`${d}-missing`], 'supervise: fatal: unable to chdir to X-missing: file does not exist\n'],
      ['empty name', () => [''], 'supervise: fatal: unable to chdir to : file does not exist\n'],
      [
        'a file',
        (d) => {
          rmSync(box.file(d), { recursive: true });
          writeFileSync(box.file(d), '');
          return [d];
        },
        'supervise: fatal: unable to chdir to X: not a directory\n',
      ],
      [
        'down is a symlink loop',
        (d) => {
          symlinkSync('down', box.file(d, 'down'));
          return [d];
        },
        'supervise: fatal: unable to stat X/down: symbolic link loop\n',
      ],
      [
        'supervise is a file',
        (d) => {
          writeFileSync(box.file(d, 'supervise'), '');
          return [d];
        },
        'supervise: fatal: unable to acquire X/supervise/lock: not a directory\n',
      ],
      [
        'lock is a directory',
        (d) => {
          mkdirSync(box.file(d, 'supervise/lock'), { recursive: true });
          return [d];
        },
        'supervise: fatal: unable to acquire X/supervise/lock: is a directory\n',
      ],
      [
        'control is a directory',
        (d) => {
          mkdirSync(box.file(d, 'supervise/control'), { recursive: true });
          return [d];
        },
        'supervise: fatal: unable to write X/supervise/control: is a directory\n',
      ],
    ])('%s', async (_name, make, stderr) => {
      for (const side of SIDES) {
        const name = `s${++serial}`;
        mkdirSync(box.file(name));
        const run = new RunningSupervise(side, box.dir, make(name));
        const exit = await run.exited;
        expect([side, run.stderr.split(name).join('X'), exit]).toEqual([
          side,
          stderr,
          { code: stderr.includes('usage') ? 100 : 111, signal: null },
        ]);
      }
    });
  });

  describe('the supervise directory', () => {
    const listing = (s: Service): string[] =>
      readdirSync(s.file('supervise'))
        .sort()
        .map((name) => {
          const st = lstatSync(s.file(`supervise/${name}`));
          return `${name} ${st.isFIFO() ? 'fifo' : st.isFile() ? 'file' : 'other'} ${(st.mode & 0o7777).toString(8)} ${st.isFile() ? st.size : ''}`;
        });

    test.each(SIDES)('made by %s as by C: names, types, modes; status says up', async (side) => {
      const s = service();
      s.start(side);
      await until('started', () => s.pids().length === 1 && s.status()?.pid === s.pids()[0]);
      expect((lstatSync(s.file('supervise')).mode & 0o7777).toString(8)).toBe('700');
      // Ours adds supervise/owner, the record adoption after a crash goes by (src/lib/supervise/owner.ts).
      expect(listing(s).filter((l) => !l.startsWith('owner '))).toEqual(['control fifo 600 ', 'lock file 600 0', 'ok fifo 600 ', 'status file 644 18']);
      expect(listing(s).filter((l) => /^owner file 644 [0-9]+$/.test(l)).length).toBe(side === 'ours' ? 1 : 0);
      expect(s.status()).toMatchObject({ paused: false, want: 'up' });
    });

    test.each(SIDES)('%s with a down file: nothing started, want down', async (side) => {
      const s = service(SLEEPER, { down: true });
      s.start(side);
      await until('svok', () => s.client('c', 'svok').status === 0);
      await until('status', () => s.status());
      expect(s.status()).toMatchObject({ pid: 0, paused: false, want: 'down' });
      expect(s.client('c', 'svstat').stdout).toMatch(new RegExp(`^${s.name}: down \\d+ seconds\\n$`));
      expect(s.pids()).toEqual([]);
    });
  });

  describe('the lock', () => {
    test.each<[Side, Side]>([
      ['c', 'c'],
      ['c', 'ours'],
      ['ours', 'c'],
      ['ours', 'ours'],
    ])('held by %s, %s gives up as C does', async (first, second) => {
      const s = service();
      s.start(first);
      await until('started', () => s.pids().length === 1);
      const again = s.start(second);
      expect(await again.exited).toEqual({ code: 111, signal: null });
      expect(again.stderr).toBe(`supervise: fatal: unable to acquire ${s.name}/supervise/lock: temporary failure\n`);
      expect(s.pids()).toHaveLength(1);
    });
  });

  describe('./run that cannot be run', () => {
    test.each<[string, (s: Service) => void, string]>([
      ['missing', (s) => rmSync(s.file('run')), 'file does not exist'],
      ['not executable', (s) => chmodSync(s.file('run'), 0o644), 'access denied'],
      ['a directory', (s) => { rmSync(s.file('run')); mkdirSync(s.file('run')); }, 'access denied'],
      ['a bad interpreter', (s) => s.setRun('#!/no/such/shell\n'), 'file does not exist'],
    ])('%s: the child says so, supervise tries again each second', async (_name, spoil, words) => {
      for (const side of SIDES) {
        const s = service(SLEEPER);
        spoil(s);
        const sup = s.start(side);
        const line = `supervise: fatal: unable to start ${s.name}/run: ${words}\n`;
        await until(`${side}: two attempts`, () => sup.stderr.split(line).length > 2, 15000, () => sup.stderr);
        expect(sup.stderr.split(line).join('')).toBe('');
        expect(s.client('c', 'svok').status).toBe(0);
      }
    });

    test.each(SIDES)('%s: ./run put in place later is started', async (side) => {
      const s = service(null);
      const sup = s.start(side);
      await until('a failed attempt', () => sup.stderr.includes('unable to start'));
      writeFileSync(s.file('run.new'), SLEEPER, { mode: 0o755 });
      renameSync(s.file('run.new'), s.file('run'));
      await until('started', () => s.pids().length === 1 && s.status()?.pid === s.pids()[0]);
    });
  });

  describe('svc -x', () => {
    test.each(SIDES)('%s: down already, supervise leaves at once', async (side) => {
      const s = service(SLEEPER, { down: true });
      const sup = s.start(side);
      await until('svok', () => s.client('c', 'svok').status === 0);
      s.client('c', 'svc', '-x');
      expect(await sup.exited).toEqual({ code: 0, signal: null });
      expect(s.status()).toMatchObject({ pid: 0, want: 'down' });
    });

    test.each(SIDES)('%s: svc -ox with a run that exits: leaves after it, without a restart', async (side) => {
      // It outlasts supervise's second of rest after the start, so the commands come first.
      const s = service('#!/bin/sh\necho $$ >> pids\nsleep 3\n');
      const sup = s.start(side);
      await until('started', () => s.pids().length === 1);
      s.client('c', 'svc', '-ox');
      expect(await sup.exited).toEqual({ code: 0, signal: null });
      expect(s.status()).toMatchObject({ pid: 0, want: 'none' });
      expect(s.pids()).toHaveLength(1);
    });
  });

  describe('what ./run is given', () => {
    /** The probe's report, taken once with svc -o on a normally-down service. */
    async function probe(side: Side, wrap?: string[]): Promise<string> {
      const s = new Service(box, 'probe', null, { down: true });
      rmSync(s.file('run'), { force: true });
      symlinkSync(fixture('probe'), s.file('run'));
      const sup = s.start(side, { wrap, env: { PATH: '/usr/bin:/bin', FOO: 'bar', EMPTY: '' } });
      await until('svok', () => s.client('c', 'svok').status === 0);
      s.client('c', 'svc', '-o');
      await until('the probe ran', () => s.status()?.pid !== 0);
      await until('the probe finished', () => s.status()?.pid === 0);
      s.client('c', 'svc', '-x');
      await sup.exited;
      expect(sup.stderr).toBe('');
      return sup.stdout.replace(/dt-supervise-\d+-\d+/g, 'dt-supervise-N'); // its own stdout file
    }

    test.each<[string, string[] | undefined]>([
      ['a plain parent', undefined],
      ['a hostile parent (signals ignored and blocked, fd 0 closed, extra fds, low NOFILE)', [fixture('hostile')]],
    ])('under %s: argv, environment, signals, limits, descriptors as C', async (_name, wrap) => {
      const c = await probe('c', wrap);
      const ours = await probe('ours', wrap);
      expect(c).toContain('argv[0] ./run\n');
      expect(ours).toBe(c);
    });
  });

  describe('signals sent to supervise itself', () => {
    test.each<NodeJS.Signals>(['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGPIPE'])(
      '%s: supervise dies of it, ./run lives on',
      async (signal) => {
        for (const side of SIDES) {
          const s = service();
          const sup = s.start(side);
          await until('started', () => s.pids().length === 1 && s.status()?.pid === s.pids()[0]);
          await until('svok', () => s.client('c', 'svok').status === 0);
          sup.signal(signal);
          expect([side, await sup.exited]).toEqual([side, { code: null, signal }]);
          expect(alive(s.pids()[0]!)).toBe(true);
          expect(s.client('c', 'svok').status).toBe(100);
        }
      },
    );

    test.each(SIDES)('%s: a signal ignored by its parent stays ignored (SIGHUP under the hostile parent)', async (side) => {
      const s = service();
      const sup = s.start(side, { wrap: [fixture('hostile')] });
      await until('started', () => s.pids().length === 1 && s.status()?.pid === s.pids()[0]);
      await until('svok', () => s.client('c', 'svok').status === 0);
      sup.signal('SIGHUP');
      s.client('c', 'svc', '-dx');
      expect(await sup.exited).toEqual({ code: 0, signal: null });
    });
  });
});
