// The ES module entry: the same single instance as the CommonJS entry (no dual-package copies).
export {
  DaemontoolsError,
  isDaemontoolsError,
  readStatus,
  readStatusSync,
  sendCommand,
  isSupervised,
  isServiceCommand,
  SERVICE_COMMANDS,
  watchStatus,
  watchState,
  waitFor,
  readState,
  watchEvents,
  diffStates,
  listServices,
  listServicesSync,
  supervise,
  startScanner,
} from './index.js';
export type * from './index.js';
