// The pipe svscan puts between a service and its logger (service/log): svscan creates it when it
// first sees the service and holds both ends for as long as it knows the service, so the logger
// can restart without the service losing a line or dying of SIGPIPE.

/** Where the pipe's descriptors come from and go back to (the addon's pipe2 and close). */
export interface PipeSyscalls {
  /** A pipe with both ends close-on-exec: only the child they are handed to keeps them. */
  pipe(): [read: number, write: number];
  close(fd: number): void;
}

export class LogPipe {
  private writeOpen = true;

  private constructor(
    /** The logger's stdin. */
    readonly read: number,
    /** The service's stdout. */
    readonly write: number,
    private readonly sys: PipeSyscalls,
  ) {}

  /** A pipe that outlived an earlier svscan, taken back from its service and logger (adopt-pipe.ts). */
  static kept(sys: PipeSyscalls, read: number, write: number): LogPipe {
    return new LogPipe(read, write, sys);
  }

  /** Throws the pipe(2) error. */
  static open(sys: PipeSyscalls): LogPipe {
    const [read, write] = sys.pipe();
    return new LogPipe(read, write, sys);
  }

  /**
   * svscan is going down and the service has ended: its own copy of the write end goes, so the
   * logger sees the end of its input once nobody else writes (a TERM a multilog took while it
   * could not read counts only after its next read, which would otherwise never come).
   */
  closeWrite(): void {
    if (!this.writeOpen) return;
    this.writeOpen = false;
    this.closeQuietly(this.write);
  }

  /** The service is forgotten: both ends go, as C svscan closes them when it drops its entry. */
  close(): void {
    this.closeQuietly(this.read);
    this.closeWrite();
  }

  private closeQuietly(fd: number): void {
    try {
      this.sys.close(fd);
    } catch {
      // Nothing to do about a failed close; the descriptor is gone either way.
    }
  }
}
