// The pipe keeper. svscan holds both ends of every log pipe, so a logger can restart without its
// service meeting SIGPIPE. C svscan's pipes outlive it in its `supervise log` processes, whose
// stdin is the read end; ours are all in svscan. So a small process of our launcher's
// (`daemontools-keeper DIR SVSCAN-PID`, native/keeper.c) holds a copy of every read end and
// does nothing else: if svscan dies while a logger is between two processes, the service's writes
// wait in the pipe for the next logger rather than kill it. After each scan the keeper is renewed
// when the set of pipes changed; the next svscan, once it has taken the pipes back, ends the
// keepers its dead predecessors left (a keeper whose parent is no longer its svscan), looked for
// once its start-up is over, a slice of /proc at a time. It may also
// hold svscan's log host socket, and starts the orphan host on it at svscan's death.

/** What the keeper needs from the system (the real one is `systemKeeper` below). */
export interface KeeperSystem {
  /**
   * Starts a keeper holding `fds`, and `host` (the log host's listening socket) when given, to
   * hand to the orphan host it starts at svscan's death; returns its pid. Throws when it cannot.
   */
  spawn(fds: readonly number[], host: number | null): number;
  /**
   * Looks for keepers of this directory whose svscan is gone and calls `found` with each; it may
   * do so later, a little at a time (it reads /proc, which a busy host fills with thousands of
   * processes), never holding up what svscan does meanwhile.
   */
  sweepStale(found: (pid: number) => void): void;
  kill(pid: number): void;
}

/**
 * While svscan is away, one orphan host (a Node process, src/lib/loghost/orphans.ts) hosts its
 * logger stubs when there are at least this many; below, each stub runs as its own Node multilog,
 * which costs no more than the orphan host would.
 */
export const ORPHAN_HOST_FROM = 2;

export class PipeKeeper {
  private pid = 0;
  /** The descriptors the running keeper holds, as a key. */
  private held = '';
  private cleared = false;
  /** The last hold could not start the keeper it wanted. */
  private failed = false;

  constructor(private readonly sys: KeeperSystem) {}

  /**
   * After a scan that read the directory: a keeper holding exactly `fds` (none when there are
   * none) and, from ORPHAN_HOST_FROM log pipes on, the log host's socket `host` for an orphan host.
   */
  hold(fds: readonly number[], host: number | null = null): void {
    const orphans = host !== null && fds.length >= ORPHAN_HOST_FROM ? host : null;
    const key = `${[...fds].sort((a, b) => a - b).join(',')} ${orphans ?? ''}`;
    if (key !== this.held) {
      const old = this.pid;
      this.pid = 0;
      this.held = '';
      this.failed = false;
      if (fds.length > 0) {
        try {
          this.pid = this.sys.spawn(fds, orphans);
          this.held = key;
        } catch {
          this.failed = true;
          // No keeper this time (the next scan tries again): the pipes are held by svscan alone.
        }
      }
      if (old !== 0) this.sys.kill(old);
    }
    // The pipes are ours now: what earlier svscans left to keep them can go.
    if (!this.cleared) {
      this.cleared = true;
      this.sys.sweepStale((pid) => this.sys.kill(pid));
    }
  }

  /** A keeper is still to be started for the pipes last held: ask again even if the scan found nothing new. */
  get behind(): boolean {
    return this.failed;
  }

  /** Everything is brought down: nothing to keep. */
  close(): void {
    if (this.pid !== 0) this.sys.kill(this.pid);
    this.pid = 0;
    this.held = '';
  }
}
