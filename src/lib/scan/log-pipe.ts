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

  /** The service is forgotten: both ends go, as C svscan closes them when it drops its entry. */
  close(): void {
    for (const fd of [this.read, this.write]) {
      try {
        this.sys.close(fd);
      } catch {
        // Nothing to do about a failed close; the descriptor is gone either way.
      }
    }
  }
}
