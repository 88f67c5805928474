/**
 * daemontools as a library: read and drive services supervised by our supervise or by C's
 * (the files on disk are the same), wait for a state change without polling, list a scan
 * directory as svscan sees it, and supervise services inside your own process.
 *
 * @example
 * ```ts
 * import { readStatus, sendCommand, waitFor } from 'daemontools';
 * sendCommand('/service/web', 'up', 'term');
 * const status = await waitFor('/service/web', 'up', { timeout: 5000 });
 * console.log(status.pid, status.since);
 * ```
 * @packageDocumentation
 */
export { DaemontoolsError, isDaemontoolsError, type DaemontoolsErrorCode } from './api/errors.js';
export { readStatus, readStatusSync, type ServiceStatus, type Want } from './api/status.js';
export { sendCommand, isSupervised, isServiceCommand, SERVICE_COMMANDS, type ServiceCommand } from './api/control.js';
export { watchStatus, watchState, waitFor, type StatusWatch, type StatusWatchOptions, type WaitCondition, type WaitOptions } from './api/watch.js';
export {
  readState,
  type ServiceState,
  type ServiceExit,
  type StateName,
  type ExitReason,
  type Sidecar,
  type SidecarExit,
  type SidecarDeath,
} from './api/state.js';
export { watchEvents, diffStates, type ServiceEvent, type ServiceEventType, type EventWatchOptions } from './api/events.js';
export { listServices, listServicesSync, type ServiceEntry } from './api/services.js';
export {
  supervise,
  startScanner,
  type SupervisedService,
  type SuperviseOptions,
  type SupervisorProblem,
  type Scanner,
  type ScannerOptions,
  type ScannerProblem,
} from './api/embed.js';
