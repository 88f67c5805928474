import { describe, expect, test } from 'vitest';
import { Command, type CommandLetter } from '../../../../src/lib/control.js';
import {
  initialState,
  reduce,
  resumedState,
  startup,
  statusOf,
  type Effect,
  type Event,
  type State,
} from '../../../../src/lib/supervise/machine.js';
import { TAI_EPOCH, type Stamp, type Status } from '../../../../src/lib/status.js';

const T0: Stamp = { seconds: TAI_EPOCH + 1000n, nanoseconds: 500 };
const T1: Stamp = { seconds: TAI_EPOCH + 2000n, nanoseconds: 1500 };

const down = (over: Partial<State> = {}): State => ({ ...initialState(true, T0), ...over });
const up = (over: Partial<State> = {}): State => down({ pid: 42, ...over });

const ANNOUNCE: Effect = { type: 'announce' };
const START: Effect = { type: 'start' };
const FINISH: Effect = { type: 'finish' };
const sig = (...signals: string[]): Effect => ({ type: 'signal', signals } as Effect);
const cmd = (command: CommandLetter): Event => ({ type: 'command', command });

describe('start-up', () => {
  test('normally up: want up, and ./run is started', () => {
    const state = initialState(true, T0);
    expect(state).toEqual({ pid: 0, paused: false, want: 'up', exiting: false, stamp: T0 });
    expect(startup(state)).toEqual([START]);
  });

  test('a down file: want down, nothing started', () => {
    const state = initialState(false, T0);
    expect(state.want).toBe('down');
    expect(startup(state)).toEqual([]);
  });

  // Taking over from a supervisor that died: its status, as it left it.
  test.each<[string, Status, Effect[]]>([
    ['its ./run still running (adopted): nothing started', { stamp: T0, pid: 42, paused: true, want: 'up' }, []],
    ['adopted while wanted down (svc -d, TERM ignored)', { stamp: T0, pid: 42, paused: false, want: 'down' }, []],
    ['ended meanwhile, wanted up: started', { stamp: T0, pid: 0, paused: false, want: 'up' }, [START]],
    ['ended meanwhile, wanted down', { stamp: T0, pid: 0, paused: false, want: 'down' }, []],
    ['ended meanwhile after svc -o', { stamp: T0, pid: 0, paused: false, want: 'none' }, []],
  ])('resumed, %s', (_name, status, effects) => {
    const state = resumedState(status);
    expect(statusOf(state)).toEqual(status);
    expect(state.exiting).toBe(false);
    expect(startup(state)).toEqual(effects);
  });
});

describe('commands', () => {
  // Each row: state before, letter, state after (changed fields), effects in supervise's order.
  test.each<[string, State, CommandLetter, Partial<State>, Effect[]]>([
    ['d while up: TERM then CONT, unpaused', up({ paused: true }), Command.down, { want: 'down', paused: false }, [sig('SIGTERM', 'SIGCONT'), ANNOUNCE]],
    ['d while down', down(), Command.down, { want: 'down' }, [ANNOUNCE]],
    ['u while down starts', down({ want: 'down' }), Command.up, { want: 'up' }, [ANNOUNCE, START]],
    ['u while up', up({ want: 'down' }), Command.up, { want: 'up' }, [ANNOUNCE]],
    ['o while down starts once', down(), Command.once, { want: 'none' }, [ANNOUNCE, START]],
    ['o while up', up(), Command.once, { want: 'none' }, [ANNOUNCE]],
    ['p while up: STOP after the status', up(), Command.pause, { paused: true }, [ANNOUNCE, sig('SIGSTOP')]],
    ['p while down is remembered only', down(), Command.pause, { paused: true }, [ANNOUNCE]],
    ['c while up: CONT after the status', up({ paused: true }), Command.cont, { paused: false }, [ANNOUNCE, sig('SIGCONT')]],
    ['c while down', down({ paused: true }), Command.cont, { paused: false }, [ANNOUNCE]],
    ['a', up(), Command.alarm, {}, [sig('SIGALRM')]],
    ['h', up(), Command.hangup, {}, [sig('SIGHUP')]],
    ['k', up(), Command.kill, {}, [sig('SIGKILL')]],
    ['t', up(), Command.term, {}, [sig('SIGTERM')]],
    ['i', up(), Command.interrupt, {}, [sig('SIGINT')]],
    ['a while down does nothing', down(), Command.alarm, {}, []],
    ['t while down does nothing', down(), Command.term, {}, []],
    ['x while up waits for the exit', up(), Command.exit, { exiting: true }, [ANNOUNCE]],
    ['x while down leaves at once', down(), Command.exit, { exiting: true }, [ANNOUNCE, FINISH]],
  ])('%s', (_name, before, letter, changed, effects) => {
    expect(reduce(before, cmd(letter))).toEqual({ state: { ...before, ...changed }, effects });
  });
});

describe('children', () => {
  test('a start records the pid and the time, and clears a pause', () => {
    const step = reduce(down({ paused: true }), { type: 'started', pid: 7, at: T1 });
    expect(step).toEqual({ state: down({ pid: 7, paused: false, stamp: T1 }), effects: [ANNOUNCE] });
  });

  test.each<[string, State, Effect[]]>([
    ['wanted up: restarted', up(), [ANNOUNCE, START]],
    ['wanted down: stays down', up({ want: 'down' }), [ANNOUNCE]],
    ['after svc -o: stays down', up({ want: 'none' }), [ANNOUNCE]],
    ['after svc -x: supervise leaves, even when wanted up', up({ exiting: true }), [ANNOUNCE, FINISH]],
  ])('an exit, %s', (_name, before, effects) => {
    expect(reduce(before, { type: 'exited', at: T1 })).toEqual({ state: { ...before, pid: 0, stamp: T1 }, effects });
  });

  test('svc -dx while up: TERM, then leave once the child is gone', () => {
    let state = up();
    const seen: Effect[] = [];
    for (const event of [cmd(Command.down), cmd(Command.exit), { type: 'exited', at: T1 } as Event]) {
      const step = reduce(state, event);
      state = step.state;
      seen.push(...step.effects);
    }
    expect(seen).toEqual([sig('SIGTERM', 'SIGCONT'), ANNOUNCE, ANNOUNCE, ANNOUNCE, FINISH]);
  });
});

describe('statusOf', () => {
  test('is what supervise/status holds', () => {
    expect(statusOf(up({ paused: true, want: 'down', stamp: T1 }))).toEqual({ stamp: T1, pid: 42, paused: true, want: 'down' });
  });
});
