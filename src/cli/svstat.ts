// svstat: one line per directory on what its supervise reports, as svstat prints it.
import { writeSync } from 'node:fs';
import { secondsSince, STATUS_SIZE, taiNow, type Status } from '../lib/status.js';
import { normallyUp, probeOk, readStatusFile } from '../lib/svdir.js';
import { errorWords } from '../lib/error-str.js';
import { OriginDir } from '../lib/origin-dir.js';
import { EXIT_OK, EXIT_TEMPORARY } from '../lib/exit-codes.js';
import { fatal } from './io.js';
import { rawArgv } from './raw-argv.js';
import { chdirTo } from './sv-dir.js';

const PROG = 'svstat';
/** svstat's one status buffer, shared by every directory it reports on. */
const lastStatus = new Uint8Array(STATUS_SIZE);

function describe(dir: string): string {
  try {
    chdirTo(dir);
  } catch (err) {
    return `unable to chdir: ${errorWords(err)}`;
  }
  let up: boolean;
  try {
    up = normallyUp('.');
  } catch (err) {
    return `unable to stat down: ${errorWords(err)}`;
  }
  try {
    probeOk('.');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return 'supervise not running';
    return `unable to open supervise/ok: ${errorWords(err)}`;
  }
  let status: Status | null;
  try {
    status = readStatusFile('.', { sharedBuffer: lastStatus });
  } catch (err) {
    return `unable to open supervise/status: ${errorWords(err)}`;
  }
  if (status === null) return 'unable to read supervise/status: bad format';

  const { pid, paused, want } = status;
  const seconds = secondsSince(status.stamp.seconds, taiNow());
  let line = pid ? `up (pid ${pid}) ${seconds} seconds` : `down ${seconds} seconds`;
  if (pid && !up) line += ', normally down';
  if (!pid && up) line += ', normally up';
  if (pid && paused) line += ', paused';
  if (!pid && want === 'up') line += ', want up';
  if (pid && want === 'down') line += ', want down';
  return line;
}

function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  while (done < data.length) {
    try {
      done += writeSync(fd, data, done, data.length - done);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return; // C's buffer_flush gives up too
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

export function main(argv: readonly string[]): number {
  let home: OriginDir;
  try {
    home = OriginDir.open();
  } catch (err) {
    fatal(PROG, 'unable to open current directory: ', err);
    return EXIT_TEMPORARY;
  }
  let out = '';
  // The names as their bytes, as C's svstat takes and prints them.
  for (const dir of rawArgv(argv).slice(1)) {
    out += `${dir}: ${describe(dir)}\n`;
    try {
      home.restore();
    } catch (err) {
      // C dies with its output still in the buffer, unwritten.
      fatal(PROG, 'unable to set directory: ', err);
      return EXIT_TEMPORARY;
    }
  }
  if (out !== '') writeAll(1, Buffer.from(out, 'latin1'));
  return EXIT_OK;
}
