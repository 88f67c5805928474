// supervise's machine as a table: state × event → state, effects, in supervise.c's order.
import { describe, expect, test } from 'vitest';
import { Command } from '../../../../src/lib/control.js';
import {
  adoptedState,
  FORK_RETRY_MS,
  freshState,
  reduce,
  sidecarOf,
  type Notice,
  type Timer,
  resumedState,
  START_PAUSE_MS,
  statusOf,
  type Child,
  type Effect,
  type Event,
  type Loop,
  type Signal,
  type State,
  type Step,
} from '../../../../src/lib/supervise/machine.js';
import { TAI_EPOCH, type Stamp, type Status, type Want } from '../../../../src/lib/status.js';
import { DEFAULTS, type ExtensionConfig } from '../../../../src/lib/supervise/ext/files.js';
import { INITIAL_POLICY } from '../../../../src/lib/supervise/ext/policy.js';
import { freshExt, msOf, stateName, type Ext } from '../../../../src/lib/supervise/extended.js';

const T0: Stamp = { seconds: TAI_EPOCH + 1000n, nanoseconds: 500 };
const T1: Stamp = { seconds: TAI_EPOCH + 2000n, nanoseconds: 1500 };

// Children.
const DOWN: Child = { phase: 'down' };
const SPAWNING: Child = { phase: 'spawning' };
const up = (pid = 42, origin: 'started' | 'adopted' = 'started'): Child => ({ phase: 'up', pid, origin });
const ended = (pid = 42, origin: 'started' | 'adopted' = 'started'): Child => ({ phase: 'ended', pid, origin });

// Where the loop stands.
const READING: Loop = { stage: 'reading', asleep: false, readable: true };
const IDLE: Loop = { stage: 'wait', asleep: false, readable: false };
const asleep = (stage: Loop['stage']): Loop => ({ stage, asleep: true, readable: false });
/** Read a byte and started ./run: the fork's answer is next. */
const FORKING: Loop = { stage: 'wait', asleep: false, readable: true };
/** Reaped a child and started ./run again. */
const REFORKING: Loop = { stage: 'control', asleep: false, readable: true };

/** A supervised service (C's rules for status writes), wanted up, down since T0. */
const state = (over: Partial<State> = {}): State => ({ ...freshState(true, T0), loop: READING, ...over });

// Effects.
const SPAWN: Effect = { type: 'spawn' };
const READ: Effect = { type: 'read' };
const WATCH: Effect = { type: 'watch' };
const FINISH: Effect = { type: 'finish' };
const sig = (...signals: Signal[]): Effect => ({ type: 'signal', pid: 42, signals });
const write = (pid: number, want: Want, paused = false, stamp = T0): Effect => ({ type: 'write-status', status: { stamp, pid, paused, want } });
const sleep = (ms: number): Effect => ({ type: 'sleep', ms });

// Events.
const read = (byte: string | null): Event => ({ type: 'read', byte, at: T1 });
const endedEvent = (pid = 42): Event => ({ type: 'ended', pid, at: T1 });
const WOKE: Event = { type: 'woke', at: T1 };

type Row = [name: string, before: State, event: Event, after: Partial<State>, effects: Effect[]];

function check(before: State, event: Event, after: Partial<State>, effects: Effect[]): Step {
  const step = reduce(before, event);
  expect(step).toEqual({ state: { ...before, ...after }, effects });
  return step;
}

/** Every row of every table, for the invariants at the end. */
const allRows: Row[] = [];
const table = (rows: Row[]): Row[] => (allRows.push(...rows), rows);

describe('a command letter read from supervise/control', () => {
  // The loop reads the next byte (READ) unless the command started ./run or ended supervision.
  test.each(
    table([
      ['d while up: TERM then CONT, unpaused', state({ child: up(), paused: true }), read(Command.down), { want: 'down', paused: false }, [sig('SIGTERM', 'SIGCONT'), write(42, 'down'), READ]],
      ['d while down', state(), read(Command.down), { want: 'down' }, [write(0, 'down'), READ]],
      ['u while down starts', state({ want: 'down' }), read(Command.up), { want: 'up', child: SPAWNING, loop: FORKING }, [write(0, 'up'), SPAWN]],
      ['u while up', state({ child: up(), want: 'down' }), read(Command.up), { want: 'up' }, [write(42, 'up'), READ]],
      ['o while down starts once', state(), read(Command.once), { want: 'none', child: SPAWNING, loop: FORKING }, [write(0, 'none'), SPAWN]],
      ['o while up', state({ child: up() }), read(Command.once), { want: 'none' }, [write(42, 'none'), READ]],
      ['p while up: STOP after the status', state({ child: up() }), read(Command.pause), { paused: true }, [write(42, 'up', true), sig('SIGSTOP'), READ]],
      ['p while down is remembered only', state(), read(Command.pause), { paused: true }, [write(0, 'up', true), READ]],
      ['c while up: CONT after the status', state({ child: up(), paused: true }), read(Command.cont), { paused: false }, [write(42, 'up'), sig('SIGCONT'), READ]],
      ['c while down', state({ paused: true }), read(Command.cont), { paused: false }, [write(0, 'up'), READ]],
      ['a', state({ child: up() }), read(Command.alarm), {}, [sig('SIGALRM'), READ]],
      ['h', state({ child: up() }), read(Command.hangup), {}, [sig('SIGHUP'), READ]],
      ['k', state({ child: up() }), read(Command.kill), {}, [sig('SIGKILL'), READ]],
      ['t', state({ child: up() }), read(Command.term), {}, [sig('SIGTERM'), READ]],
      ['i', state({ child: up() }), read(Command.interrupt), {}, [sig('SIGINT'), READ]],
      ['t to an adopted child', state({ child: up(42, 'adopted') }), read(Command.term), {}, [sig('SIGTERM'), READ]],
      ['a while down does nothing', state(), read(Command.alarm), {}, [READ]],
      ['t while down does nothing', state(), read(Command.term), {}, [READ]],
      ['x while up waits for the exit', state({ child: up() }), read(Command.exit), { exiting: true }, [write(42, 'up'), READ]],
      ['x while down leaves at once', state(), read(Command.exit), { exiting: true, loop: { ...READING, stage: 'gone' } }, [write(0, 'up'), write(0, 'up'), FINISH]],
      ['a byte that is no command is passed over', state({ child: up() }), read('z'), {}, [READ]],
      ['nothing to read: wait for the FIFO', state({ child: up() }), read(null), { loop: IDLE }, [WATCH]],
    ]),
  )('%s', (_name, before, event, after, effects) => {
    check(before, event, after, effects);
  });
});

describe('a command while the exit is pending (./run ended, not yet reaped)', () => {
  // The pid is still reported, as C's zombie holds it, but nothing is sent to it: it may be anyone's.
  // Then the loop reaps it before the next byte, as supervise's does.
  const reaped = (want: Want): Effect[] => (want === 'up' ? [write(0, want, false, T1), SPAWN] : [write(0, want, false, T1), READ]);
  test.each(
    table([
      ['d: the status, no signals', state({ child: ended(), paused: true }), read(Command.down), { want: 'down', paused: false, child: DOWN, stamp: T1 }, [write(42, 'down'), ...reaped('down')]],
      ['t: nothing', state({ child: ended() }), read(Command.term), { child: SPAWNING, stamp: T1, loop: REFORKING }, reaped('up')],
      ['k to an adopted one: nothing', state({ child: ended(42, 'adopted') }), read(Command.kill), { child: SPAWNING, stamp: T1, loop: REFORKING }, reaped('up')],
      ['p: the status, no STOP', state({ child: ended() }), read(Command.pause), { paused: true, child: SPAWNING, stamp: T1, loop: REFORKING }, [write(42, 'up', true), write(0, 'up', true, T1), SPAWN]],
      ['u: no second start while the pid is held', state({ child: ended(), want: 'down' }), read(Command.up), { want: 'up', child: SPAWNING, stamp: T1, loop: REFORKING }, [write(42, 'up'), ...reaped('up')]],
    ]),
  )('%s', (_name, before, event, after, effects) => {
    check(before, event, after, effects);
  });
});

describe("./run's start and end", () => {
  test.each(
    table([
      ['a start records the pid and the time, clears a pause, and pauses a second', state({ child: SPAWNING, paused: true, loop: { ...READING, stage: 'wait' } }), { type: 'started', pid: 7, at: T1 }, { child: { phase: 'up', pid: 7, origin: 'started' }, paused: false, stamp: T1, loop: { stage: 'wait', asleep: true, readable: true } }, [write(7, 'up', false, T1), sleep(START_PAUSE_MS)]],
      ['a failed fork: a minute before anything else', state({ child: SPAWNING, loop: { ...READING, stage: 'wait' } }), { type: 'spawn-failed', at: T1 }, { child: DOWN, loop: { stage: 'wait', asleep: true, readable: true } }, [sleep(FORK_RETRY_MS)]],
      ['an end, wanted up: reaped and restarted', state({ child: up(), loop: IDLE }), endedEvent(), { child: SPAWNING, stamp: T1, loop: { ...IDLE, stage: 'control' } }, [write(0, 'up', false, T1), SPAWN]],
      ['an end, wanted down: stays down', state({ child: up(), want: 'down', loop: IDLE }), endedEvent(), { child: DOWN, stamp: T1, loop: { stage: 'reading', asleep: false, readable: false } }, [write(0, 'down', false, T1), READ]],
      ['an end after svc -o: stays down', state({ child: up(), want: 'none', loop: IDLE }), endedEvent(), { child: DOWN, stamp: T1, loop: { stage: 'reading', asleep: false, readable: false } }, [write(0, 'none', false, T1), READ]],
      ['an end after svc -x: supervise leaves, even when wanted up', state({ child: up(), exiting: true, loop: IDLE }), endedEvent(), { child: DOWN, stamp: T1, loop: { ...IDLE, stage: 'gone' } }, [write(0, 'up', false, T1), write(0, 'up', false, T1), FINISH]],
      ['an adopted child that ends is reaped the same', state({ child: up(42, 'adopted'), want: 'down', loop: IDLE }), endedEvent(), { child: DOWN, stamp: T1, loop: { stage: 'reading', asleep: false, readable: false } }, [write(0, 'down', false, T1), READ]],
      ['an end during the pause waits for its end', state({ child: up(), loop: asleep('wait') }), endedEvent(), { child: ended() }, []],
      ['the end of another pid is not ours', state({ child: up(), loop: IDLE }), endedEvent(41), {}, []],
      ['an end seen before start-up is over is not taken in', state({ child: up(42, 'adopted'), loop: { ...IDLE, stage: 'opening' } }), endedEvent(), {}, []],
    ]),
  )('%s', (_name, before, event, after, effects) => {
    check(before, event, after, effects);
  });
});

describe("supervise's loop", () => {
  test.each(
    table([
      ['the FIFO reads ready: one byte', state({ child: up(), loop: IDLE }), { type: 'readable', at: T1 }, { loop: READING }, [READ]],
      ['ready during a pause: read when it ends', state({ child: up(), loop: asleep('wait') }), { type: 'readable', at: T1 }, { loop: { stage: 'wait', asleep: true, readable: true } }, []],
      // After the start at start-up: doit's first announce, then whatever arrived meanwhile.
      ['woken after the first start', state({ child: up(), loop: asleep('enter') }), WOKE, { loop: READING }, [write(42, 'up'), READ]],
      // After a start in the reap the byte comes first; after one for a command the reap does (C's order).
      ['woken after a restart, ./run gone meanwhile: the byte first', state({ child: ended(), loop: asleep('control') }), WOKE, { loop: READING }, [READ]],
      ['woken after a start for u, ./run gone meanwhile: reaped first', state({ child: ended(), loop: asleep('wait') }), WOKE, { child: SPAWNING, stamp: T1, loop: { stage: 'control', asleep: false, readable: true } }, [write(0, 'up', false, T1), SPAWN]],
      // Events that do not apply where the loop stands change nothing.
      ['a read answered while not reading is ignored', state({ child: up(), loop: IDLE }), read(Command.term), {}, []],
      ['a wake-up while awake is ignored', state({ child: up(), loop: IDLE }), WOKE, {}, []],
    ]),
  )('%s', (_name, before, event, after, effects) => {
    check(before, event, after, effects);
  });
});

describe('start-up', () => {
  const fresh = freshState(true, T0);
  const status = (pid: number, want: Want, paused = false): Status => ({ stamp: T0, pid, paused, want });
  const entered = { stage: 'enter', asleep: false, readable: false } as const;
  // Each row: the state start-up begins from, what 'locked' writes, what 'begin' does.
  test.each<[string, State, Effect[], Partial<State>, Effect[]]>([
    ['normally up: started', fresh, [write(0, 'up')], { child: SPAWNING, loop: entered }, [SPAWN]],
    ['a down file: nothing started, the record says so', freshState(false, T0), [write(0, 'down')], { loop: IDLE }, [{ type: 'record-idle', stamp: T0 }, write(0, 'down'), WATCH]],
    ['adopted: nothing started; the status written once ok is open', adoptedState(status(42, 'up', true)), [], { loop: IDLE, writes: { rule: 'changed', last: status(42, 'up', true) } }, [write(42, 'up', true), WATCH]],
    ['adopted while wanted down (svc -d, TERM ignored)', adoptedState(status(42, 'down')), [], { loop: IDLE, writes: { rule: 'changed', last: status(42, 'down') } }, [write(42, 'down'), WATCH]],
    ['ended meanwhile, wanted up: started', resumedState(status(0, 'up'), false), [], { child: SPAWNING, loop: entered }, [SPAWN]],
    ['ended meanwhile, wanted down: recorded idle', resumedState(status(0, 'down'), false), [], { loop: IDLE, writes: { rule: 'changed', last: status(0, 'down') } }, [{ type: 'record-idle', stamp: T0 }, write(0, 'down'), WATCH]],
    ['down before, recorded idle already', resumedState(status(0, 'down'), true), [], { loop: IDLE, writes: { rule: 'changed', last: status(0, 'down') } }, [write(0, 'down'), WATCH]],
    ['ended meanwhile after svc -o: not started', resumedState(status(0, 'none'), false), [], { loop: IDLE, writes: { rule: 'changed', last: status(0, 'none') } }, [{ type: 'record-idle', stamp: T0 }, write(0, 'none'), WATCH]],
  ])('%s', (_name, start, locked, after, begun) => {
    expect(start.loop.stage).toBe('opening');
    const first = reduce(start, { type: 'locked', at: T1 });
    expect(first).toEqual({ state: start, effects: locked });
    check(start, { type: 'begin', at: T1 }, after, begun);
  });

  test('adopted: pid, pause, want and stamp as the status left them', () => {
    const s = adoptedState({ stamp: T1, pid: 42, paused: true, want: 'down' });
    expect(statusOf(s)).toEqual({ stamp: T1, pid: 42, paused: true, want: 'down' });
    expect(s.child).toEqual(up(42, 'adopted'));
  });
});

describe('status writes after a takeover', () => {
  const last: Status = { stamp: T0, pid: 42, paused: false, want: 'up' };
  const taken = (over: Partial<State> = {}): State => state({ child: up(), writes: { rule: 'changed', last }, ...over });
  test.each(
    table([
      ['the same status again: not rewritten', taken(), read(Command.up), {}, [READ]],
      ['a different one: written, and from then on every one is', taken(), read(Command.down), { want: 'down', writes: { rule: 'every' } }, [sig('SIGTERM', 'SIGCONT'), write(42, 'down'), READ]],
      ['C writes every one', state({ child: up() }), read(Command.up), {}, [write(42, 'up'), READ]],
    ]),
  )('%s', (_name, before, event, after, effects) => {
    check(before, event, after, effects);
  });
});

describe('letting the directory go (stop)', () => {
  const STOP: Event = { type: 'stop', at: T1 };
  const gone = (loop: Loop): Partial<State> => ({ loop: { ...loop, stage: 'gone' } });
  test.each(
    table([
      ['our child keeps running and is still reaped', state({ child: up(), loop: IDLE }), STOP, gone(IDLE), [{ type: 'release', reap: 42 }]],
      ['an adopted one is not ours to reap', state({ child: up(42, 'adopted'), loop: IDLE }), STOP, gone(IDLE), [{ type: 'release', reap: null }]],
      ['one that ended is reaped already', state({ child: ended(), loop: asleep('wait') }), STOP, gone(asleep('wait')), [{ type: 'release', reap: null }]],
      ['down', state({ loop: IDLE }), STOP, gone(IDLE), [{ type: 'release', reap: null }]],
      ['before start-up is over: nothing', state({ loop: { ...IDLE, stage: 'opening' } }), STOP, {}, []],
      ['after it: nothing more happens', state({ child: up(), loop: { ...IDLE, stage: 'gone' } }), STOP, {}, []],
      ['nor after the end of supervision', state({ child: up(), loop: { ...IDLE, stage: 'gone' } }), endedEvent(), {}, []],
    ]),
  )('%s', (_name, before, event, after, effects) => {
    check(before, event, after, effects);
  });
});

test('svc -dx while up: TERM, then leave once the child is gone', () => {
  let s = state({ child: up() });
  const seen: Effect[] = [];
  for (const event of [read(Command.down), read(Command.exit), read(null), endedEvent()]) {
    const step = reduce(s, event);
    s = step.state;
    seen.push(...step.effects);
  }
  expect(seen).toEqual([sig('SIGTERM', 'SIGCONT'), write(42, 'down'), READ, write(42, 'down'), READ, WATCH, write(0, 'down', false, T1), write(0, 'down', false, T1), FINISH]);
  expect(s.loop.stage).toBe('gone');
});

test('an effect that is answered at once (a fork, a read) ends its step', () => {
  for (const [name, before, event] of allRows) {
    const effects = reduce(before, event).effects;
    const answered = effects.findIndex((e) => e.type === 'spawn' || e.type === 'read');
    if (answered >= 0) expect(answered, name).toBe(effects.length - 1);
  }
});

describe('with extension files (issue 13)', () => {
  const ms = (t: Stamp): number => msOf(t);
  const config = (over: Partial<ExtensionConfig> = {}): ExtensionConfig => ({ ...DEFAULTS, enabled: true, ...over });
  const S6 = { readiness: { dialect: 's6', fd: 5 } } as const;
  const SD = { readiness: { dialect: 'sd-notify' } } as const;
  /** A service with extension files, wanted up; `ext` over a fresh record. */
  const xstate = (cfg: Partial<ExtensionConfig>, over: Partial<State> = {}, ext: Partial<Ext> = {}): State => {
    const base = state(over);
    return { ...base, ext: { ...freshExt(config(cfg), true), ...ext } };
  };
  /** Running as run 1 since T0. */
  const RUN1: Partial<Ext> = { runs: 1, startedAt: ms(T0) };
  /** Stands for supervise/status.json as the state after the step says it. */
  const SIDECAR = { type: 'write-sidecar' } as unknown as Effect;
  const setTimer = (timer: Timer, msDelay: number, run = 1): Effect => ({ type: 'set-timer', timer, ms: msDelay, run });
  const clearTimer = (timer: Timer): Effect => ({ type: 'clear-timer', timer });
  const notify = (notice: Notice, run = 1): Event => ({ type: 'notify', run, notice, at: T1 });
  const fire = (timer: Timer, run = 1): Event => ({ type: 'timer', timer, run, at: T1 });

  type XRow = [name: string, before: State, event: Event, after: Partial<State>, ext: Partial<Ext>, effects: Effect[]];
  function checkExt(before: State, event: Event, after: Partial<State>, ext: Partial<Ext>, effects: Effect[]): void {
    const expected: State = { ...before, ...after, ext: { ...before.ext!, ...ext } };
    const step = reduce(before, event);
    expect(step.state).toEqual(expected);
    expect(step.effects).toEqual(effects.map((e) => (e === SIDECAR ? { type: 'write-sidecar', sidecar: sidecarOf(expected, expected.ext!) } : e)));
    allRows.push([`ext: ${event.type}`, before, event, after, effects]);
  }
  const died = (code: number | null, signal: NodeJS.Signals | null = null): Event => ({ type: 'ended', pid: 42, at: T1, exit: { code, signal } });

  test.each<XRow>([
    ['a start with a dialect: not ready, the ready timeout set', xstate({ ...S6, readyTimeoutMs: 500 }, { child: SPAWNING, loop: IDLE }), { type: 'started', pid: 42, at: T1 }, { child: up(), stamp: T1, loop: { ...IDLE, asleep: true } }, { runs: 1, startedAt: ms(T1), ready: false }, [SIDECAR, write(42, 'up', false, T1), setTimer('ready-timeout', 500), sleep(START_PAUSE_MS)]],
    ['a start without a dialect: ready at once', xstate({ downSignal: 'SIGHUP' }, { child: SPAWNING, loop: IDLE }), { type: 'started', pid: 42, at: T1 }, { child: up(), stamp: T1, loop: { ...IDLE, asleep: true } }, { runs: 1, startedAt: ms(T1), ready: true, readySince: ms(T1) }, [SIDECAR, write(42, 'up', false, T1), sleep(START_PAUSE_MS)]],
    ['ready: the ready timeout off, the watchdog on', xstate({ ...SD, watchdogMs: 2000, readyTimeoutMs: 500 }, { child: up(), loop: IDLE }, RUN1), notify({ ready: true, status: 'serving' }), {}, { ready: true, readySince: ms(T1), statusText: 'serving' }, [clearTimer('ready-timeout'), setTimer('watchdog', 2000), WATCH, SIDECAR]],
    ['a notice of an earlier run is not heard', xstate(SD, { child: up(), loop: IDLE }, RUN1), notify({ ready: true }, 0), {}, {}, []],
    ['RELOADING=1: not ready until READY=1', xstate(SD, { child: up(), loop: IDLE }, { ...RUN1, ready: true, readySince: ms(T0) }), notify({ ready: false }), {}, { ready: false, readySince: null }, [WATCH, SIDECAR]],
    ['WATCHDOG=1 while ready: the period starts again', xstate({ ...SD, watchdogMs: 2000 }, { child: up(), loop: IDLE }, { ...RUN1, ready: true }), notify({ watchdog: 'ping' }), {}, {}, [setTimer('watchdog', 2000), WATCH]],
    ['the watchdog runs out: down-signal, CONT, the kill timer', xstate({ ...SD, watchdogMs: 2000, downSignal: 'SIGINT', killTimeoutMs: 300 }, { child: up(), loop: IDLE }, { ...RUN1, ready: true }), fire('watchdog'), {}, { stopping: 'watchdog' }, [sig('SIGINT', 'SIGCONT'), setTimer('kill', 300), WATCH, SIDECAR]],
    ['WATCHDOG=trigger: the same at once', xstate({ ...SD, watchdogMs: 2000 }, { child: up(), loop: IDLE }, { ...RUN1, ready: true }), notify({ watchdog: 'trigger' }), {}, { stopping: 'watchdog' }, [sig('SIGTERM', 'SIGCONT'), WATCH, SIDECAR]],
    ['not ready in time: taken down', xstate({ ...S6, readyTimeoutMs: 500 }, { child: up(), loop: IDLE }, RUN1), fire('ready-timeout'), {}, { stopping: 'ready-timeout' }, [sig('SIGTERM', 'SIGCONT'), WATCH, SIDECAR]],
    ['a ready timeout of an earlier run does nothing', xstate({ ...S6, readyTimeoutMs: 500 }, { child: up(), loop: IDLE }, { runs: 2 }), fire('ready-timeout'), {}, {}, []],
    ['still up after timeout-kill: KILL', xstate({ killTimeoutMs: 300 }, { child: up(), loop: IDLE }, { ...RUN1, stopping: 'stopped' }), fire('kill'), {}, {}, [sig('SIGKILL'), WATCH]],
    ['svc -d: down-signal instead of TERM, CONT, the kill timer', xstate({ downSignal: 'SIGHUP', killTimeoutMs: 300 }, { child: up(), paused: true }, RUN1), read(Command.down), { want: 'down', paused: false }, { stopping: 'stopped' }, [sig('SIGHUP', 'SIGCONT'), setTimer('kill', 300), SIDECAR, write(42, 'down'), READ]],
    ['an exit with ./finish: recorded, then ./finish runs (exit code, signal)', xstate({ finish: { timeoutMs: 5000 } }, { child: up(), loop: IDLE }, RUN1), died(3), { child: DOWN, stamp: T1, loop: { ...IDLE, stage: 'control' } }, { deathsTotal: 1, lastExit: { code: 3, signal: null, at: ms(T1), uptimeMs: ms(T1) - ms(T0), reason: 'exit' }, finishing: { pid: 0, death: { at: ms(T1), code: 3, signal: null, reason: 'exit' } } }, [SIDECAR, write(0, 'up', false, T1), { type: 'run-finish', exit: { code: 3, signal: null } }]],
    ['./finish forked: its kill timer, and the loop reads on', xstate({ finish: { timeoutMs: 5000 } }, { loop: { ...IDLE, stage: 'control' } }, { ...RUN1, finishing: { pid: 0, death: { at: ms(T1), code: 3, signal: null, reason: 'exit' } } }), { type: 'finish-started', pid: 77, at: T1 }, { loop: { ...IDLE, stage: 'reading' } }, { finishing: { pid: 77, death: { at: ms(T1), code: 3, signal: null, reason: 'exit' } } }, [setTimer('finish-kill', 5000), SIDECAR, READ]],
    ['./finish ends: the next start', xstate({ finish: { timeoutMs: null } }, { loop: IDLE }, { ...RUN1, finishing: { pid: 77, death: { at: ms(T1), code: 3, signal: null, reason: 'exit' } } }), { type: 'finish-ended', pid: 77, code: 0, at: T1 }, { child: SPAWNING }, { finishing: null, policy: { ...INITIAL_POLICY, deaths: [{ at: ms(T1), code: 3, signal: null, reason: 'exit' }], step: 1 } }, [SIDECAR, SPAWN]],
    ['./finish exits 125: failed until svc -u', xstate({ finish: { timeoutMs: null } }, { loop: IDLE }, { ...RUN1, finishing: { pid: 77, death: { at: ms(T1), code: 3, signal: null, reason: 'exit' } } }), { type: 'finish-ended', pid: 77, code: 125, at: T1 }, {}, { finishing: null, policy: { ...INITIAL_POLICY, deaths: [{ at: ms(T1), code: 3, signal: null, reason: 'exit' }], step: 1, failed: true } }, [WATCH, SIDECAR]],
    ['./finish too slow: KILL', xstate({ finish: { timeoutMs: 5 } }, { loop: IDLE }, { ...RUN1, finishing: { pid: 77, death: { at: ms(T1), code: 3, signal: null, reason: 'exit' } } }), fire('finish-kill'), {}, {}, [{ type: 'signal', pid: 77, signals: ['SIGKILL'] }, WATCH]],
    ['a death under backoff: the restart waits', xstate({ backoff: { minMs: 2000, maxMs: 8000 } }, { child: up(), loop: IDLE }, { runs: 1, startedAt: ms(T1) - 1500 }), died(1), { child: DOWN, stamp: T1, loop: { ...IDLE, stage: 'reading' } }, { deathsTotal: 1, lastExit: { code: 1, signal: null, at: ms(T1), uptimeMs: 1500, reason: 'exit' }, policy: { ...INITIAL_POLICY, deaths: [{ at: ms(T1), code: 1, signal: null, reason: 'exit' }], step: 1 }, nextStartAt: ms(T1) + 2000 }, [SIDECAR, write(0, 'up', false, T1), setTimer('restart', 2000), READ]],
    ['the backoff is over: started', xstate({ backoff: { minMs: 2000, maxMs: 8000 } }, { loop: IDLE }, { ...RUN1, nextStartAt: ms(T1) }), fire('restart'), { child: SPAWNING }, { nextStartAt: null }, [SIDECAR, SPAWN]],
    ['svc -d during a backoff calls the start off', xstate({ backoff: { minMs: 2000, maxMs: 8000 } }, {}, { ...RUN1, nextStartAt: ms(T1) }), read(Command.down), { want: 'down' }, { nextStartAt: null }, [clearTimer('restart'), SIDECAR, write(0, 'down'), READ]],
    ['svc -u during a backoff waits for it', xstate({ backoff: { minMs: 2000, maxMs: 8000 } }, { want: 'down' }, { ...RUN1, nextStartAt: ms(T1) }), read(Command.up), { want: 'up' }, {}, [SIDECAR, write(0, 'up'), READ]],
    ['too many deaths: failed', xstate({ permanentFailure: { windowMs: 10000, count: 2 } }, { child: up(), loop: IDLE }, { ...RUN1, policy: { ...INITIAL_POLICY, deaths: [{ at: ms(T1) - 1000, code: 1, signal: null, reason: 'exit' }], step: 1 } }), died(null, 'SIGSEGV'), { child: DOWN, stamp: T1, loop: { ...IDLE, stage: 'reading' } }, { deathsTotal: 1, lastExit: { code: null, signal: 'SIGSEGV', at: ms(T1), uptimeMs: ms(T1) - ms(T0), reason: 'signal' }, policy: { deaths: [{ at: ms(T1) - 1000, code: 1, signal: null, reason: 'exit' }, { at: ms(T1), code: null, signal: 'SIGSEGV', reason: 'signal' }], step: 2, failed: true, clearedAt: -Infinity } }, [SIDECAR, write(0, 'up', false, T1), READ]],
    ['svc -u on a failed service: started, the failure forgotten', xstate({ permanentFailure: { windowMs: 10000, count: 2 } }, {}, { ...RUN1, policy: { ...INITIAL_POLICY, failed: true, step: 2 } }), read(Command.up), { child: SPAWNING, loop: FORKING }, { policy: { ...INITIAL_POLICY, failed: false, step: 0, clearedAt: ms(T1) } }, [SIDECAR, write(0, 'up'), SPAWN]],
    ['a stop asked for is recorded as such, and restarts at once when wanted', xstate({ downSignal: 'SIGHUP' }, { child: up(), loop: IDLE }, { ...RUN1, stopping: 'watchdog' }), died(null, 'SIGHUP'), { child: SPAWNING, stamp: T1, loop: { ...IDLE, stage: 'control' } }, { deathsTotal: 1, lastExit: { code: null, signal: 'SIGHUP', at: ms(T1), uptimeMs: ms(T1) - ms(T0), reason: 'watchdog' }, policy: { ...INITIAL_POLICY, deaths: [{ at: ms(T1), code: null, signal: 'SIGHUP', reason: 'watchdog' }], step: 1 } }, [SIDECAR, write(0, 'up', false, T1), SPAWN]],
    ['svc -x while ./finish runs: supervise leaves once it is over', xstate({ finish: { timeoutMs: null } }, { loop: IDLE, exiting: true }, { ...RUN1, finishing: { pid: 77, death: { at: ms(T1), code: 0, signal: null, reason: 'exit' } } }), { type: 'finish-ended', pid: 77, code: 0, at: T1 }, { loop: { ...IDLE, stage: 'gone' } }, { finishing: null, policy: { ...INITIAL_POLICY, deaths: [{ at: ms(T1), code: 0, signal: null, reason: 'exit' }], step: 1 } }, [SIDECAR, write(0, 'up'), FINISH]],
  ])('%s', (_name, before, event, after, ext, effects) => {
    // An exit is taken in from the 'ended' event's record, which the reap clears.
    checkExt(before, event, after, { ...ext, ...(event.type === 'ended' ? { exited: null, ready: false, readySince: null, stopping: null } : {}) }, effects);
  });

  test('the sidecar says starting, up, stopping, finishing, backoff, failed, down', () => {
    const cfg = config(S6);
    const e = freshExt(cfg, true);
    expect(stateName({ ...e, ready: false }, 'up')).toBe('starting');
    expect(stateName({ ...e, ready: true }, 'up')).toBe('up');
    expect(stateName({ ...e, ready: true, stopping: 'stopped' }, 'up')).toBe('stopping');
    expect(stateName({ ...e, finishing: { pid: 1, death: { at: 0, code: 0, signal: null, reason: 'exit' } } }, 'down')).toBe('finishing');
    expect(stateName({ ...e, nextStartAt: 5 }, 'down')).toBe('backoff');
    expect(stateName({ ...e, policy: { ...e.policy, failed: true } }, 'down')).toBe('failed');
    expect(stateName(e, 'down')).toBe('down');
  });

  test('the first announce writes the sidecar before the 18 bytes', () => {
    const s = { ...freshState(true, T0, config(S6)) };
    const step = reduce(s, { type: 'locked', at: T1 });
    expect(step.effects.map((e) => e.type)).toEqual(['write-sidecar', 'write-status']);
  });

  test('without extension files no effect of theirs ever appears', () => {
    for (const [name, before, event] of allRows) {
      if (before.ext !== null) continue;
      const types = reduce(before, event).effects.map((e) => e.type);
      expect(types.filter((t) => ['write-sidecar', 'set-timer', 'clear-timer', 'run-finish'].includes(t)), name).toEqual([]);
    }
  });
});
