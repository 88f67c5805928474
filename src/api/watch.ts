// Following a service's status as supervise rewrites it: supervise renames status.new over status
// on every change, so a directory watch on supervise/ sees each one; nothing polls.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { DaemontoolsError, errnoCode, systemError } from './errors.js';
import { readStatus, type ServiceStatus } from './status.js';

export interface StatusWatchOptions {
  /** Called with the status when watching starts and after each change supervise announces. */
  onStatus(status: ServiceStatus): void;
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
    readStatus(dir).then(
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
        // status.new comes and goes on each write; the rename onto status is the change. (Where
        // the system names no file, as with kqueue, every event is read as a possible change.)
        if (name !== 'status.new') report();
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

/** The state to wait for: up (a process runs), down, or any condition on the status. */
export type WaitCondition = 'up' | 'down' | ((status: ServiceStatus) => boolean);

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

/**
 * Resolves with the status once the service in `dir` satisfies `condition`, checking only when
 * supervise announces a change (no polling). A service whose supervise is not running yet is waited for.
 * @example await waitFor('/service/web', 'up', { timeout: 5000 })
 * @throws {@link DaemontoolsError} `ERR_TIMEOUT`, `ABORT_ERR`, `ERR_BAD_STATUS` or `ERR_SYSTEM`.
 */
export function waitFor(dir: string, condition: WaitCondition, options: WaitOptions = {}): Promise<ServiceStatus> {
  const test = typeof condition === 'function' ? condition : CONDITIONS[condition];
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
      watcher = watchStatus(dir, {
        onStatus: (status) => {
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
