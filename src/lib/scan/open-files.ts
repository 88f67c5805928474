// svscan's own descriptor budget. One process holds what C spreads over a supervise per service
// (each with its own table), so svscan run as root asks for the kernel's ceiling: RLIMIT_NOFILE up
// to fs.nr_open. What its services get is untouched: every child is started with the limits
// recorded before Node ran (the exec plan), never with this one.

export interface OpenFilesSyscalls {
  geteuid(): number;
  getrlimit(resource: number): [cur: bigint, max: bigint];
  setrlimit(resource: number, cur: bigint, max: bigint): void;
  /** The kernel's per-process ceiling (Linux: /proc/sys/fs/nr_open); null where it cannot be read. */
  ceiling(): bigint | null;
}

/** Raises this process's NOFILE limits to the ceiling when it may; returns the limits it ends with. */
export function raiseOpenFiles(sys: OpenFilesSyscalls, resource: number): [cur: bigint, max: bigint] {
  const [cur, max] = sys.getrlimit(resource);
  if (sys.geteuid() !== 0) return [cur, max];
  const ceiling = sys.ceiling();
  if (ceiling === null || ceiling <= max) return [cur, max];
  try {
    sys.setrlimit(resource, ceiling, ceiling);
  } catch {
    // A container may forbid it (no CAP_SYS_RESOURCE): svscan carries on with what it was given.
    return [cur, max];
  }
  return [ceiling, ceiling];
}
