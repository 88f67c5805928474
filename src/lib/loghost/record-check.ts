// What a logger stub's record claims about its process (signals, limits, descriptors), checked
// against what the kernel says (lib/proc/state.ts). A stub of ours claims exactly its state; a
// record that does not hold comes from something else, and is not hosted.
import { constants } from 'node:os';
import { parseCaptured } from '../exec/captured.js';
import type { ProcState } from '../proc/state.js';

/**
 * The stub catches these itself (relaying them) and blocks them around its start: not compared.
 * CONT too: it is blocked until the record is sent, so a host that reads /proc before the stub
 * unblocks it (under load, often) would otherwise refuse a true stub.
 */
const STUB_SIGNALS = new Set([constants.signals.SIGTERM, constants.signals.SIGALRM, constants.signals.SIGCONT]);

const sameSignals = (a: readonly number[], b: readonly number[]): boolean => {
  const key = (list: readonly number[]): string => [...new Set(list.filter((s) => !STUB_SIGNALS.has(s)))].sort((x, y) => x - y).join(',');
  return key(a) === key(b);
};

/** Why `record` does not describe `state`, or null when every claim holds. */
export function recordMismatch(record: string, state: ProcState, infinity: bigint): string | null {
  const claimed = parseCaptured(record, infinity);
  if (claimed === null) return 'no record';
  if (!sameSignals(claimed.ignored, state.ignored)) return 'ignored signals';
  if (!sameSignals(claimed.blocked, state.blocked)) return 'signal mask';
  for (const [resource, [soft, hard]] of claimed.rlimits) {
    const real = state.rlimits.get(resource);
    if (real === undefined || real[0] !== soft || real[1] !== hard) return `limit ${resource}`;
  }
  // Recorded right after its execve, when nothing of its own is open: exactly the descriptors it
  // inherited, none close-on-exec. Its own (socket, ledger, bin) are close-on-exec.
  const inherited = state.fds.filter((f) => !f.cloexec).map((f) => f.fd);
  const listed = claimed.fds.map((f) => f.fd).sort((a, b) => a - b);
  if (claimed.fds.some((f) => f.cloexec) || listed.join(',') !== inherited.join(',')) return 'descriptors';
  return null;
}
