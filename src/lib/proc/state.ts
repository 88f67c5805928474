// A process's exec state as the kernel reports it (Linux /proc): the signals it ignores and
// blocks, its resource limits, its open descriptors and whether each is close-on-exec. What
// another process tells us about itself is checked against this, never taken on its word.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcFd {
  readonly fd: number;
  readonly cloexec: boolean;
}

export interface ProcState {
  /** Signals set to SIG_IGN (SigIgn). */
  readonly ignored: readonly number[];
  /** The signal mask of its (first) thread (SigBlk). */
  readonly blocked: readonly number[];
  /** resource number -> [soft, hard], in /proc/PID/limits's order, which is the resources'. */
  readonly rlimits: ReadonlyMap<number, readonly [bigint, bigint]>;
  /** Open descriptors, ascending. */
  readonly fds: readonly ProcFd[];
}

/** The signals whose bits are set in a /proc/PID/status mask (hex; bit n-1 is signal n). */
export function maskSignals(hex: string): number[] {
  let bits = BigInt(`0x${hex}`);
  const out: number[] = [];
  for (let sig = 1; bits !== 0n; sig++, bits >>= 1n) if (bits & 1n) out.push(sig);
  return out;
}

/** /proc/PID/limits's table: one line per resource after the header, "unlimited" for infinity. */
export function parseLimits(text: string, infinity: bigint): Map<number, readonly [bigint, bigint]> {
  const out = new Map<number, readonly [bigint, bigint]>();
  const value = (v: string): bigint => (v === 'unlimited' ? infinity : BigInt(v));
  const lines = text.split('\n').slice(1);
  for (const [resource, line] of lines.entries()) {
    // "Max open files            1024                 4096                 files     "
    const m = /^\S.*?\s{2,}(unlimited|[0-9]+)\s+(unlimited|[0-9]+)(\s|$)/.exec(line);
    if (m) out.set(resource, [value(m[1]!), value(m[2]!)]);
  }
  return out;
}

/** A /proc/PID/fdinfo file's `flags:` field (octal), which includes O_CLOEXEC when the descriptor has it. */
export function fdinfoFlags(text: string): number {
  const m = /^flags:\s*([0-7]+)$/m.exec(text);
  if (!m) throw new Error('no flags in fdinfo');
  return parseInt(m[1]!, 8);
}

/** Reads `pid`'s state; throws when the process is gone or not ours to read. */
export function readProcState(pid: number, consts: { readonly RLIM_INFINITY: bigint; readonly O_CLOEXEC: number }): ProcState {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const mask = (name: string): number[] => {
    const m = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    if (!m) throw new Error(`no ${name} in /proc/${pid}/status`);
    return maskSignals(m[1]!);
  };
  const fds: ProcFd[] = [];
  for (const entry of readdirSync(`/proc/${pid}/fdinfo`)) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${entry}`, 'latin1');
    } catch {
      continue; // closed between the listing and the read
    }
    fds.push({ fd: Number(entry), cloexec: (fdinfoFlags(info) & consts.O_CLOEXEC) !== 0 });
  }
  fds.sort((a, b) => a.fd - b.fd);
  return {
    ignored: mask('SigIgn'),
    blocked: mask('SigBlk'),
    rlimits: parseLimits(readFileSync(`/proc/${pid}/limits`, 'latin1'), consts.RLIM_INFINITY),
    fds,
  };
}

/** This process's descriptors a child would inherit (without FD_CLOEXEC), ascending. */
export function inheritableFds(n: { fcntl(fd: number, cmd: number): number; readonly constants: { readonly F_GETFD: number; readonly FD_CLOEXEC: number } }): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc/self/fd')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if ((n.fcntl(Number(entry), n.constants.F_GETFD) & n.constants.FD_CLOEXEC) === 0) out.push(Number(entry));
    } catch {
      // the listing's own descriptor, closed by now
    }
  }
  return out.sort((a, b) => a - b);
}
