// Where fghack's child holds the pipe: C's child gets the pipe at the two lowest free descriptors,
// closes the read end and dups the write end thirty times, each dup taking the lowest free number.

/** How many extra copies of the write end fghack's child makes. */
export const PIPE_DUPS = 30;

/** The descriptor numbers at which the program holds the pipe's write end, lowest first. */
export function pipeWriteCopies(isOpen: (fd: number) => boolean): number[] {
  const taken = new Set<number>();
  const lowest = (): number => {
    let fd = 0;
    while (isOpen(fd) || taken.has(fd)) fd++;
    taken.add(fd);
    return fd;
  };
  const readEnd = lowest();
  const writeEnd = lowest();
  taken.delete(readEnd);
  const copies = [writeEnd];
  for (let i = 0; i < PIPE_DUPS; i++) copies.push(lowest());
  return copies.sort((a, b) => a - b);
}
