// A fatal multilog error: djb's message fragment and the system error behind it.

export class MultilogFatal extends Error {
  constructor(
    /** e.g. "unable to lock directory ./main: " */
    readonly parts: string,
    override readonly cause?: unknown,
  ) {
    super(parts);
    this.name = 'MultilogFatal';
  }
}

/** The errno C multilog would be left with: messages about crashed processors print it. */
export class ErrnoTrace {
  private kept: unknown = null;

  /**
   * The last failure seen, or null after something that clears errno (readdir to its end). Only
   * what djb's words are looked up by is kept (code, errno): an Error would keep its stack's
   * frames alive, about 1 KB for each log directory svscan hosts.
   */
  get last(): unknown {
    return this.kept;
  }

  set last(err: unknown) {
    this.kept = errnoOnly(err);
  }

  /** Runs `op`, remembering its failure; returns false instead of throwing. */
  attempt(op: () => void): boolean {
    try {
      op();
      return true;
    } catch (err) {
      this.last = err;
      return false;
    }
  }
}

function errnoOnly(err: unknown): unknown {
  if (err === null || typeof err !== 'object') return err;
  const { code, errno } = err as { code?: unknown; errno?: unknown };
  return { code, errno };
}
