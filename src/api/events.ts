// A service's transitions as events (start, ready, status text, exit, backoff, failed, down),
// found by comparing each state supervise announces with the one before; nothing polls.
import { DaemontoolsError } from './errors.js';
import type { ServiceState, StateName } from './state.js';
import { watchState, type StatusWatch } from './watch.js';

export type ServiceEventType = 'start' | 'ready' | 'status' | 'exit' | 'backoff' | 'failed' | 'down';

export interface ServiceEvent {
  readonly type: ServiceEventType;
  /** The service as named by the caller, and its directory. */
  readonly service: string;
  readonly dir: string;
  /** When it happened, as supervise recorded it where it did (else when it was seen). */
  readonly at: Date;
  /** start: the new pid; exit: the pid that ended (when known). */
  readonly pid?: number;
  /** exit: code or signal (null: unknown, the 18 bytes do not tell), and why. */
  readonly code?: number | null;
  readonly signal?: string | null;
  readonly reason?: string | null;
  /** status: the new text (null: cleared). */
  readonly statusText?: string | null;
  /** backoff: when the next start is due. */
  readonly nextStartAt?: Date | null;
  /** The state after the event. */
  readonly state: StateName;
}

/** The events between two states of one service (none for the first one seen). */
export function diffStates(service: string, dir: string, prev: ServiceState | null, next: ServiceState, now = new Date()): ServiceEvent[] {
  if (prev === null) return [];
  const out: ServiceEvent[] = [];
  const push = (type: ServiceEventType, at: Date, extra: Partial<ServiceEvent> = {}): void => void out.push({ type, service, dir, at, state: next.state, ...extra });
  const sidecar = next.sidecar !== null;
  const prevExit = prev.lastExit?.at.getTime() ?? null;
  const nextExit = next.lastExit?.at.getTime() ?? null;
  if (sidecar && next.lastExit && nextExit !== prevExit) {
    const e = next.lastExit;
    push('exit', e.at, { ...(prev.pid !== null ? { pid: prev.pid } : {}), code: e.code, signal: e.signal, reason: e.reason });
  } else if (!sidecar && prev.pid !== null && prev.pid !== next.pid) {
    push('exit', next.pid === null ? next.since : now, { pid: prev.pid, code: null, signal: null, reason: null });
  }
  if (next.pid !== null && next.pid !== prev.pid) push('start', next.since, { pid: next.pid });
  // Without a sidecar, ready is up: the start says it.
  if (sidecar && next.ready && next.pid !== null && (!prev.ready || next.pid !== prev.pid)) push('ready', next.readySince ?? now);
  if (next.statusText !== prev.statusText && (sidecar || prev.sidecar !== null)) push('status', now, { statusText: next.statusText });
  if (next.state !== prev.state || (next.state === 'backoff' && next.nextStartAt?.getTime() !== prev.nextStartAt?.getTime())) {
    if (next.state === 'backoff') push('backoff', now, { nextStartAt: next.nextStartAt });
    if (next.state === 'failed') push('failed', now);
    // A service left down; one wanted up that is just between two runs is not.
    if (next.state === 'down' && (sidecar || next.want !== 'up')) push('down', next.since);
  }
  return out;
}

export interface EventWatchOptions {
  onEvent(event: ServiceEvent): void;
  /** Each service's state when watching starts (and when it first becomes readable). */
  onState?(service: string, dir: string, state: ServiceState): void;
  onError?(service: string, dir: string, error: DaemontoolsError): void;
}

/**
 * Follows the services in `targets` (a directory each, or `{ name, dir }`) and reports every
 * transition until `close()`.
 * @example const w = watchEvents(['/service/web'], { onEvent: (e) => console.log(e.type, e.service) });
 */
export function watchEvents(targets: ReadonlyArray<string | { readonly name: string; readonly dir: string }>, options: EventWatchOptions): StatusWatch {
  const watches: StatusWatch[] = [];
  for (const t of targets) {
    const { name, dir } = typeof t === 'string' ? { name: t, dir: t } : t;
    let last: ServiceState | null = null;
    watches.push(
      watchState(dir, {
        onStatus: (state) => {
          if (last === null) options.onState?.(name, dir, state);
          for (const e of diffStates(name, dir, last, state)) options.onEvent(e);
          last = state;
        },
        onError: (error) => options.onError?.(name, dir, error),
      }),
    );
  }
  return { close: () => watches.forEach((w) => w.close()) };
}
