// The library's one error type: a stable `code` to branch on, the service it concerns, and for a
// failed system call the Node error underneath (its `code`, `syscall` and `path` copied up).

/** What went wrong, as a value to compare against; never parse `message`. */
export type DaemontoolsErrorCode =
  /** No supervise process runs in the service directory (svok would exit 100). */
  | 'ERR_NOT_SUPERVISED'
  /** Another supervise holds the service's supervise/lock. */
  | 'ERR_ALREADY_SUPERVISED'
  /** supervise/status is shorter than its 18 bytes (svstat's "bad format"). */
  | 'ERR_BAD_STATUS'
  /** A wait ran past its `timeout`. */
  | 'ERR_TIMEOUT'
  /** A wait was given up through its AbortSignal (Node's own code for this). */
  | 'ABORT_ERR'
  /** A part of the library that is not built yet. */
  | 'ERR_NOT_AVAILABLE'
  /** An argument the library cannot use (an unknown command name, an empty directory name). */
  | 'ERR_INVALID_ARG'
  /** A system call failed: `systemCode`, `syscall` and `path` say which and why. */
  | 'ERR_SYSTEM';

/** Every error the library throws; branch on {@link DaemontoolsError.code}. */
export class DaemontoolsError extends Error {
  override readonly name = 'DaemontoolsError';
  /** The errno name of a failed system call (`'ENOENT'`, `'EACCES'`), for code `ERR_SYSTEM`. */
  readonly systemCode?: string;
  readonly syscall?: string;
  readonly path?: string;

  constructor(
    readonly code: DaemontoolsErrorCode,
    /** The service directory concerned, as the caller named it. */
    readonly service: string | undefined,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const cause = options.cause as NodeJS.ErrnoException | undefined;
    if (code === 'ERR_SYSTEM' && cause && typeof cause === 'object') {
      if (typeof cause.code === 'string') this.systemCode = cause.code;
      if (typeof cause.syscall === 'string') this.syscall = cause.syscall;
      if (typeof cause.path === 'string') this.path = cause.path;
    }
  }
}

/** Wraps a Node system error met while working on `service`. */
export function systemError(service: string | undefined, what: string, cause: unknown): DaemontoolsError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
  return new DaemontoolsError('ERR_SYSTEM', service, `${what}: ${code}`, { cause });
}

export function errnoCode(err: unknown): string | undefined {
  return err && typeof err === 'object' ? (err as NodeJS.ErrnoException).code : undefined;
}

/** Whether `err` is a {@link DaemontoolsError} (with the given code, when one is given). */
export function isDaemontoolsError(err: unknown, code?: DaemontoolsErrorCode): err is DaemontoolsError {
  return err instanceof DaemontoolsError && (code === undefined || err.code === code);
}
