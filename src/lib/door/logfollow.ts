// Following a multilog directory for `daemontools logs -f`: lines as they are appended to
// `current`, on each change the directory watch reports (no polling), across rotations without
// losing or repeating a line. multilog finishes `current` (fsync, close) before renaming it away
// and starting a new one, so the descriptor we hold is read to its end before the new `current`
// is opened from its start.
import { closeSync, fstatSync, openSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { lineStamp, readFinished, readFrom, splitLines, stampOfMillis, type LogLine, type LogSnapshot } from './logread.js';

export class LogFollower {
  private fd: number;
  private ino: number;
  private offset: number;
  private partial: Buffer;
  private newest: string;
  /** Inodes read through a descriptor as `current` and not yet met under their finished name. */
  private readAsCurrent: Set<number>;
  private watcher: FSWatcher | undefined;
  private last = { stamp: null as bigint | null };
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly logdir: string,
    from: LogSnapshot,
    private readonly onLines: (lines: LogLine[]) => void,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.fd = from.fd;
    this.ino = from.ino;
    this.offset = from.offset;
    this.partial = from.partial;
    this.newest = from.newest;
    this.readAsCurrent = from.seen;
    this.last.stamp = from.lines.at(-1)?.stamp ?? null;
  }

  start(): void {
    try {
      this.watcher = watch(this.logdir, { persistent: true }, () => this.schedule());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // multilog has not made its directory yet: wait for it beside it.
      const appeared = (): void => {
        try {
          statSync(this.logdir);
        } catch {
          return;
        }
        this.watcher?.close();
        if (!this.closed) this.start();
      };
      this.watcher = watch(dirname(this.logdir), { persistent: true }, appeared);
      appeared();
      return;
    }
    this.watcher.on('error', (err) => this.onError(err));
    // Whatever came between the snapshot and the watch.
    this.schedule();
  }

  /** Several events in one turn of the loop make one read. */
  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.check();
      } catch (err) {
        this.onError(err);
      }
    });
  }

  private drain(): void {
    if (this.fd < 0) return;
    const bytes = readFrom(this.fd, this.offset);
    if (bytes.length === 0) return;
    this.offset += bytes.length;
    const lines: LogLine[] = [];
    this.partial = Buffer.from(splitLines(this.partial.length > 0 ? Buffer.concat([this.partial, bytes]) : bytes, lines, this.last));
    if (lines.length > 0) this.onLines(lines);
  }

  check(): void {
    if (this.closed) return;
    this.drain();
    let ino: number;
    try {
      ino = statSync(join(this.logdir, 'current')).ino;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // mid-rotation: the new one comes next
      throw err;
    }
    if (ino === this.ino) return;
    const old = this.ino;
    if (this.fd >= 0) {
      // Rotated: what was written before the rename, then the end of that file.
      this.drain();
      if (this.partial.length > 0) this.onLines([{ text: this.partial, stamp: lineStamp(this.partial) ?? this.last.stamp }]);
      closeSync(this.fd);
      this.fd = -1;
    }
    // The new current first, then the files finished in between (several rotations may have
    // come since we looked), skipping the two we read through descriptors.
    let fd: number;
    try {
      fd = openSync(join(this.logdir, 'current'), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    this.fd = fd;
    this.ino = fstatSync(fd).ino;
    this.offset = 0;
    this.partial = Buffer.alloc(0);
    const between: LogLine[] = [];
    // A file is `previous` for a moment before its @ name: it may be met only at a later rotation.
    this.readAsCurrent.add(old);
    this.readAsCurrent.add(this.ino);
    if (this.readAsCurrent.size > 16) this.readAsCurrent.delete(this.readAsCurrent.values().next().value as number);
    this.newest = readFinished(this.logdir, this.newest, this.readAsCurrent, between, this.last);
    if (between.length > 0) this.onLines(between);
    this.drain();
    // It may have rotated again while we looked.
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: `30s`, `10m`, `2h`, `1d` ago, a TAI64N label, or a date Date.parse reads (local time). */
/** Returns the stamp key (see lineStamp), or null for text it cannot read. */
export function parseSince(text: string, now: number): bigint | null {
  const ago = /^([0-9]+)([smhd])$/.exec(text);
  if (ago) return stampOfMillis(now - Number(ago[1]) * UNITS[ago[2]!]!);
  if (/^@[0-9a-f]{24}$/i.test(text)) return lineStamp(Buffer.from(text, 'latin1'));
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : stampOfMillis(ms);
}
