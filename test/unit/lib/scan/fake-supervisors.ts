// What the scanner tests' fake hosts share: supervisors that exist only in memory, the problems
// reported, and the descriptor room the host would report.
import type { ScanProblem, ServiceSpec } from '../../../../src/lib/scan/scanner.js';

/** A supervisor as a fake host starts it: what it was started on, and a way to end it. */
export interface FakeSupervisor {
  readonly spec: ServiceSpec;
  end(): void;
}

export class FakeSupervisors {
  /** Paths whose supervisor cannot take the directory over (a lock held elsewhere). */
  readonly refuse = new Set<string>();
  readonly started: FakeSupervisor[] = [];
  readonly problems: ScanProblem[] = [];
  /** The process's descriptors as the host would report them; unset: it cannot tell. */
  room: { limit: number; open: number } | undefined;

  start(spec: ServiceSpec, onExit: () => void): FakeSupervisor | null {
    if (this.refuse.has(spec.path)) return null;
    const supervisor = { spec, end: onExit };
    this.started.push(supervisor);
    return supervisor;
  }

  problem(problem: ScanProblem): void {
    this.problems.push(problem);
  }

  descriptors(): { limit: number; open: number } | null {
    return this.room ?? null;
  }

  /** The paths started so far, in order. */
  paths(): string[] {
    return this.started.map((s) => s.spec.path);
  }

  last(path: string): FakeSupervisor {
    const found = this.started.filter((s) => s.spec.path === path).at(-1);
    if (!found) throw new Error(`${path} never started`);
    return found;
  }
}
