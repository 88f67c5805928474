// Copies of the logger stubs' descriptors that are one open file description, held once: every
// stub under svscan usually writes its messages to the stderr it inherited from svscan, and a
// copy per hosted logger would be a descriptor each for the same thing. Sharing is exact: the
// kernel (kcmp) says the two copies are the same description, so a write through either is the
// same write. Where it cannot say (no kcmp), each copy is kept as it came.

export interface CopySyscalls {
  /** Whether two of our descriptors are one open file description (kcmp KCMP_FILE); throws if it cannot tell. */
  sameFile(a: number, b: number): boolean;
  /** [dev, ino] of a descriptor, to compare only copies of one file. */
  identity(fd: number): string;
  close(fd: number): void;
}

export class SharedCopies {
  /** Held copy -> how many users it has. */
  private readonly refs = new Map<number, number>();
  /** File identity -> the held copies of it. */
  private readonly byFile = new Map<string, number[]>();
  private readonly fileOf = new Map<number, string>();

  constructor(private readonly sys: CopySyscalls) {}

  /** Takes a fresh copy: returns it, or the held copy of the same description (and closes the fresh one). */
  take(fd: number): number {
    let file: string;
    try {
      file = this.sys.identity(fd);
    } catch {
      return fd; // not to be shared: its user closes it as its own
    }
    const held = this.byFile.get(file) ?? [];
    for (const have of held) {
      let same: boolean;
      try {
        same = this.sys.sameFile(have, fd);
      } catch {
        break; // the kernel cannot tell: the copy stays its own
      }
      if (same) {
        this.sys.close(fd);
        this.refs.set(have, this.refs.get(have)! + 1);
        return have;
      }
    }
    held.push(fd);
    this.byFile.set(file, held);
    this.fileOf.set(fd, file);
    this.refs.set(fd, 1);
    return fd;
  }

  /** One user is done with `fd` (a copy take() returned); it is closed when it was the last. */
  release(fd: number): void {
    const refs = this.refs.get(fd);
    if (refs === undefined) return this.sys.close(fd);
    if (refs > 1) return void this.refs.set(fd, refs - 1);
    this.refs.delete(fd);
    const file = this.fileOf.get(fd)!;
    this.fileOf.delete(fd);
    const left = this.byFile.get(file)!.filter((f) => f !== fd);
    if (left.length) this.byFile.set(file, left);
    else this.byFile.delete(file);
    this.sys.close(fd);
  }
}
