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
  /** The last failure seen, or null after something that clears errno (readdir to its end). */
  last: unknown = null;

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
