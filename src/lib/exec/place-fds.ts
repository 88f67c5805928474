// Putting descriptors at given numbers in a child, whatever numbers they have in this process:
// dup2 in an order where no move overwrites a descriptor a later move still reads from, by way of
// spare numbers above every one involved when the moves go round in a cycle.
import type { FdOp } from '../../native/binding.js';

export type FdMove = readonly [from: number, to: number];

/** The dup2s (then closes of any spares) that leave each `to` holding what `from` holds here. */
export function placeFds(moves: readonly FdMove[]): FdOp[] {
  const pending = moves.map(([from, to]) => ({ from, to }));
  const ops: FdOp[] = [];
  const spares: number[] = [];
  let spare = Math.max(-1, ...moves.flat()) + 1;
  while (pending.length > 0) {
    const ready = pending.findIndex((m) => !pending.some((o) => o !== m && o.from === m.to));
    if (ready >= 0) {
      const [m] = pending.splice(ready, 1);
      ops.push(['dup2', m!.from, m!.to]);
      continue;
    }
    // A cycle: move one source out of the way, to a number nothing here uses.
    const from = pending[0]!.from;
    ops.push(['dup2', from, spare]);
    for (const m of pending) if (m.from === from) m.from = spare;
    spares.push(spare++);
  }
  for (const fd of spares) ops.push(['close', fd]);
  return ops;
}
