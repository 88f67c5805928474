// Both directions, through one service's whole life: C's svc, svok and svstat drive our supervise,
// ours drive C's, and C driving C proves the expectations. Each step waits for what supervise did
// (./run's own record of pids and signals, the status file), then takes svstat's word for it.
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { HAVE_C } from '../helpers/paths.js';
import { Sandbox, type Side } from '../integration/sv-golden.js';
import { killAll, procState, Service, SIGNAL_RECORDER, until } from './supervise-harness.js';

const box = new Sandbox();
afterEach(killAll);
afterAll(() => box.remove());

const QUIET = { stdout: '', stderr: '', status: 0 };
const COMBINATIONS: Array<[Side, Side]> = [
  ['c', 'c'],
  ['c', 'ours'],
  ['ours', 'c'],
  ['ours', 'ours'],
];

describe.skipIf(!HAVE_C).each(COMBINATIONS)('supervise (%s) driven by svc/svok/svstat (%s)', (side, clients) => {
  test('a service from start to svc -x', { timeout: 60000 }, async () => {
    const s = new Service(box, `life-${side}-${clients}`, SIGNAL_RECORDER);
    const sup = s.start(side);
    const log: string[] = [];
    /** svstat's line, with pids as their start number and seconds as S. */
    const svstat = (): void => {
      const out = s.client(clients, 'svstat');
      const pids = s.pids();
      log.push(out.stdout.replace(/\(pid (\d+)\)/, (_m, p: string) => `(pid #${pids.indexOf(Number(p)) + 1})`).replace(/\d+ seconds/, 'S seconds'));
    };
    const svc = (letters: string): void => expect(s.client(clients, 'svc', `-${letters}`)).toEqual(QUIET);
    const upAs = (n: number): Promise<unknown> =>
      until(`start #${n}`, () => s.pids().length === n && s.status()?.pid === s.pids()[n - 1]);

    await until('svok', () => s.client(clients, 'svok').status === 0);
    await upAs(1);
    const first = s.pids()[0]!;
    svstat();

    for (const [letter, name] of [['h', 'HUP'], ['a', 'ALRM'], ['i', 'INT'], ['c', 'CONT']] as const) {
      svc(letter);
      await until(`${name} caught`, () => s.lines('sigs').at(-1) === name);
    }

    svc('p');
    await until('stopped', () => s.status()?.paused && procState(first) === 'T');
    svstat();
    svc('c');
    await until('continued', () => !s.status()?.paused && procState(first) !== 'T', 15000, () =>
      JSON.stringify({ status: s.status(), state: procState(first), stderr: sup.stderr, exited: sup.hasExited, pids: s.pids(), sigs: s.lines('sigs') }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
    svstat();

    svc('t'); // the recorder exits on TERM: restarted, as wanted up
    await upAs(2);
    svc('k');
    await upAs(3);
    svstat();

    svc('d');
    await until('down', () => s.status()?.pid === 0);
    expect(s.lines('sigs').at(-1)).toBe('TERM');
    expect(s.status()).toMatchObject({ pid: 0, paused: false, want: 'down' });
    svstat();

    svc('o');
    await upAs(4);
    expect(s.status()?.want).toBe('none');
    svstat();
    svc('t');
    await until('down after once', () => s.status()?.pid === 0);
    svstat();

    svc('u');
    await upAs(5);
    svstat();
    svc('x'); // supervise stays while the service runs
    expect(s.client(clients, 'svok').status).toBe(0);
    expect(sup.hasExited).toBe(false);
    svc('d');
    expect(await sup.exited).toEqual({ code: 0, signal: null });
    expect(s.client(clients, 'svok').status).toBe(100);
    expect(s.status()).toMatchObject({ pid: 0, want: 'down' });
    svstat();

    const n = s.name;
    expect(log).toEqual([
      `${n}: up (pid #1) S seconds\n`,
      `${n}: up (pid #1) S seconds, paused\n`,
      `${n}: up (pid #1) S seconds\n`,
      `${n}: up (pid #3) S seconds\n`,
      `${n}: down S seconds, normally up\n`,
      `${n}: up (pid #4) S seconds\n`,
      `${n}: down S seconds, normally up\n`,
      `${n}: up (pid #5) S seconds\n`,
      `${n}: supervise not running\n`,
    ]);
    expect(s.pids()).toHaveLength(5);
    expect(sup.stderr).toBe('');
  });
});
