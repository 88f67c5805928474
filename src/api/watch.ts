// Following a service's status as supervise rewrites it: supervise renames status.new over status
// on every change, so a directory watch on supervise/ sees each one; nothing polls.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { DaemontoolsError, errnoCode, systemError } from './errors.js';
import { readStatus, type ServiceStatus } from './status.js';
import { readState, type ServiceState } from './state.js';

export interface StatusWatchOptions<T = ServiceStatus> {
  /** Called with the status when watching starts and after each change supervise announces. */
  onStatus(status: T): void;
  /**
   * Called when the status cannot be read (for instance `ERR_NOT_SUPERVISED` before supervise
   * starts); watching goes on. Without it such errors are ignored.
   */
  onError?(error: DaemontoolsError): void;
  /** Keep the event loop alive while watching (default true). */
  persistent?: boolean;
}

/** A running watch; `close()` stops it. */
export interface StatusWatch {
  close(): void;
}

/**
 * Watches the service in `dir`: reports its status at once and again whenever supervise writes it.
 * If `dir/supervise` does not exist yet, waits for it to appear (svscan starting the service).
 * @throws {@link DaemontoolsError} `ERR_SYSTEM` when `dir` itself cannot be watched.
 */
export function watchStatus(dir: string, options: StatusWatchOptions): StatusWatch {
  return watchWith(dir, readStatus, options);
}

/**
 * {@link watchStatus} with the extended state ({@link readState}): also reports each change of
 * supervise/status.json (readiness, status text, backoff), which the 18 bytes do not show.
 */
export function watchState(dir: string, options: StatusWatchOptions<ServiceState>): StatusWatch {
  return watchWith(dir, readState, options);
}

function watchWith<T>(dir: string, read: (dir: string) => Promise<T>, options: StatusWatchOptions<T>): StatusWatch {
  const persistent = options.persistent ?? true;
  let closed = false;
  let dirWatcher: FSWatcher | undefined;
  let superviseWatcher: FSWatcher | undefined;
  let reading = false;
  let again = false;

  const report = (): void => {
    if (closed) return;
    if (reading) {
      again = true; // a change came in mid-read: read once more afterwards
      return;
    }
    reading = true;
    read(dir).then(
      (status) => {
        if (!closed) options.onStatus(status);
      },
      (err: unknown) => {
        if (!closed && err instanceof DaemontoolsError) options.onError?.(err);
      },
    ).finally(() => {
      reading = false;
      if (again) {
        again = false;
        report();
      }
    });
  };

  const watchSupervise = (): boolean => {
    try {
      superviseWatcher = watch(join(dir, 'supervise'), { persistent }, (_event, name) => {
        // status.new comes and goes on each write; the rename onto status is the change (the
        // same for status.json.new). Where the system names no file, as with kqueue, every
        // event is read as a possible change.
        if (name !== 'status.new' && name !== 'status.json.new') report();
      });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false;
      throw systemError(dir, `${dir}: unable to watch supervise/`, err);
    }
    superviseWatcher.on('error', () => {
      // supervise/ removed under us: fall back to waiting for it again.
      superviseWatcher?.close();
      superviseWatcher = undefined;
      if (!closed) startDirWatch();
    });
    return true;
  };

  const startDirWatch = (): void => {
    try {
      dirWatcher = watch(dir, { persistent }, () => {
        if (superviseWatcher) return;
        if (watchSupervise()) {
          dirWatcher?.close();
          dirWatcher = undefined;
        }
        report();
      });
    } catch (err) {
      throw systemError(dir, `${dir}: unable to watch the service directory`, err);
    }
    dirWatcher.on('error', (err) => {
      if (!closed) options.onError?.(systemError(dir, `${dir}: unable to watch the service directory`, err));
    });
    // supervise/ may have appeared between the first attempt and this watch.
    if (watchSupervise()) {
      dirWatcher.close();
      dirWatcher = undefined;
    }
  };

  if (!watchSupervise()) startDirWatch();
  report();
  return {
    close(): void {
      closed = true;
      superviseWatcher?.close();
      dirWatcher?.close();
    },
  };
}

/**
 * The state to wait for: up (a process runs), down, ready (as the service said, or up when it
 * has no readiness dialect), exit (down with ./finish done: s6-svwait -D), or any condition.
 */
export type WaitCondition = 'up' | 'down' | 'ready' | 'exit' | ((status: ServiceStatus) => boolean);

export interface WaitOptions {
  /** Give up after this many milliseconds with `ERR_TIMEOUT`. */
  timeout?: number;
  /** Give up when this signal aborts, with `ABORT_ERR`. */
  signal?: AbortSignal;
}

const CONDITIONS = {
  up: (s: ServiceStatus) => s.up,
  down: (s: ServiceStatus) => !s.up,
} as const;

/** Conditions that need the sidecar's state. */
const STATE_CONDITIONS = {
  ready: (s: ServiceState) => s.up && s.ready,
  exit: (s: ServiceState) => !s.up && s.state !== 'finishing',
} as const;

/**
 * Resolves with the status once the service in `dir` satisfies `condition`, checking only when
 * supervise announces a change (no polling). A service whose supervise is not running yet is waited for.
 * @example await waitFor('/service/web', 'up', { timeout: 5000 })
 * @throws {@link DaemontoolsError} `ERR_TIMEOUT`, `ABORT_ERR`, `ERR_BAD_STATUS` or `ERR_SYSTEM`.
 */
export function waitFor(dir: string, condition: 'ready' | 'exit', options?: WaitOptions): Promise<ServiceState>;
export function waitFor(dir: string, condition: WaitCondition, options?: WaitOptions): Promise<ServiceStatus>;
export function waitFor(dir: string, condition: WaitCondition, options: WaitOptions = {}): Promise<ServiceStatus> {
  const extended = condition === 'ready' || condition === 'exit';
  const test = (typeof condition === 'function'
    ? condition
    : extended
      ? STATE_CONDITIONS[condition]
      : CONDITIONS[condition as keyof typeof CONDITIONS]) as ((s: ServiceStatus) => boolean) | undefined;
  if (typeof test !== 'function') {
    return Promise.reject(new DaemontoolsError('ERR_INVALID_ARG', dir, `unknown condition: ${String(condition)}`));
  }
  const { signal, timeout } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DaemontoolsError('ABORT_ERR', dir, `${dir}: wait aborted`, { cause: signal.reason }));
      return;
    }
    let watcher: StatusWatch | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => settle(new DaemontoolsError('ABORT_ERR', dir, `${dir}: wait aborted`, { cause: signal?.reason }));
    function settle(outcome: ServiceStatus | DaemontoolsError): void {
      watcher?.close();
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof DaemontoolsError) reject(outcome);
      else resolve(outcome);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeout !== undefined) {
      timer = setTimeout(() => settle(new DaemontoolsError('ERR_TIMEOUT', dir, `${dir}: not ${typeof condition === 'string' ? condition : 'ready'} after ${timeout} ms`)), timeout);
    }
    try {
      watcher = (extended ? watchState : watchStatus)(dir, {
        onStatus: (status: ServiceStatus) => {
          if (test(status)) settle(status);
        },
        onError: (error) => {
          // Not supervised (yet) is a state to wait through; anything else ends the wait.
          if (error.code !== 'ERR_NOT_SUPERVISED') settle(error);
        },
      });
    } catch (err) {
      settle(err instanceof DaemontoolsError ? err : systemError(dir, `${dir}: unable to watch`, err));
    }
  });
}
