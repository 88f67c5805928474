// multilog's status files (`=file`): created if need be (mode 0600), opened for writing without
// truncating, and overwritten in place with each selected line's first 1000 bytes and newlines.
import { closeSync, constants, ownFs, type MultilogFs } from './fs.js';
import { MultilogFatal } from './errors.js';
import type { MultilogIO } from './io.js';
import { PAUSE_MS } from './logdir.js';

const { O_WRONLY, O_NONBLOCK, O_APPEND, O_CREAT } = constants;

/** A status file is overwritten with this many bytes: the line, then newlines. */
export const STATUS_SIZE = 1001;
const NEWLINE = 0x0a;

/** The line a status file is to show. */
export interface StatusLine {
  readonly line: Buffer;
  /** Changed since last written. */
  dirty: boolean;
}

export interface StatusFile extends StatusLine {
  readonly name: string;
  readonly fd: number;
}

/** C's f_init for one `=file`; `start` is the starting directory, for relative names; `fs` the logger's calls. */
export function openStatus(start: string, name: string, fs: MultilogFs = ownFs): StatusFile {
  const path = name === '' || name.startsWith('/') ? name : `${start}/${name}`;
  try {
    closeSync(fs.openSync(path, O_WRONLY | O_NONBLOCK | O_APPEND | O_CREAT, 0o600));
  } catch (err) {
    throw new MultilogFatal(`unable to create ${name}: `, err);
  }
  try {
    const fd = fs.openSync(path, O_WRONLY | O_NONBLOCK);
    return { name, fd, line: Buffer.alloc(STATUS_SIZE, NEWLINE), dirty: false };
  } catch (err) {
    throw new MultilogFatal(`unable to write ${name}: `, err);
  }
}

/** Writes the line at the start of the file; pauses and tries again until it is done. */
export async function writeStatus(status: StatusFile, io: MultilogIO): Promise<void> {
  status.dirty = false;
  for (;;) {
    let err: unknown = { errno: 0 };
    try {
      if (io.write(status.fd, status.line, 0, STATUS_SIZE, 0) === STATUS_SIZE) return;
    } catch (e) {
      if ((e as { code?: string }).code === 'ESPIPE') {
        // C seeks first: on a pipe or terminal that is what fails.
        io.warn(`unable to move to beginning of ${status.name}, pausing: `, e);
        await io.sleep(PAUSE_MS);
        continue;
      }
      err = e;
    }
    io.warn(`unable to write ${status.name}, pausing: `, err);
    await io.sleep(PAUSE_MS);
  }
}
