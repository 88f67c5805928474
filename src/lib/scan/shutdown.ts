// svscan as a container's entrypoint: on SIGTERM every service is brought down as `svc -dx` would
// (TERM then CONT, and the supervisor leaves once the service is down), the services first and
// their loggers after, so the last lines a service writes as it goes still reach its log.
import { Command } from '../control.js';
import { writeControl } from '../svdir.js';
import type { Supervisor } from '../supervise/supervisor.js';
import type { Scanner, Slot } from './scanner.js';

const DOWN_AND_EXIT = Command.down + Command.exit;

export class Shutdown {
  private waiting = new Set<Supervisor>();
  private phaseDone: (() => void) | undefined;

  constructor(private readonly scanner: Scanner<Supervisor>) {}

  /** For the scanner: a supervisor has ended. */
  ended(supervisor: Supervisor): void {
    if (!this.waiting.delete(supervisor) || this.waiting.size > 0) return;
    this.phaseDone?.();
  }

  /** Resolves once every supervisor, services then loggers, has brought its service down and ended. */
  async run(): Promise<void> {
    this.scanner.freeze();
    await this.phase('main');
    // A logger told to exit while it could not read (just started, say) goes on to its next read,
    // as C multilog does: svscan's write end must not keep that read waiting for ever.
    this.scanner.endLogInput();
    await this.phase('log');
  }

  private phase(slot: Slot): Promise<void> {
    for (const supervisor of this.scanner.running(slot)) {
      if (this.tell(supervisor)) this.waiting.add(supervisor);
    }
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.phaseDone = resolve;
    });
  }

  /** Sends `dx` through the supervisor's own FIFO, as svc would; false when that is impossible. */
  private tell(supervisor: Supervisor): boolean {
    try {
      writeControl(supervisor.path, DOWN_AND_EXIT);
      return true;
    } catch {
      // The directory was removed or moved away: svc could not reach it either. Take the service
      // down by hand and let the supervisor go without waiting for it.
      const pid = supervisor.pid;
      supervisor.stop();
      if (pid !== 0) {
        for (const sig of ['SIGTERM', 'SIGCONT'] as const) {
          try {
            process.kill(pid, sig);
          } catch {
            // Already gone.
          }
        }
      }
      return false;
    }
  }
}
