// svscan in one process: the scanner over the current directory, run by the directory watch and
// the rescan timer, every supervisor hosted in this event loop, orphans reaped here.
import { native, type ExecPlan } from '../../native/index.js';
import type { Supervisor } from '../supervise/supervisor.js';
import { supervisorHost, type SupervisorReport } from './host.js';
import { adoptOrphans } from './orphans.js';
import { Scanner, type ScanProblem } from './scanner.js';
import { Shutdown } from './shutdown.js';
import { PipeKeeper } from './keeper.js';
import { systemKeeper } from './keeper-system.js';
import { giveBack, Settle, SHRINK_MS } from './settle.js';
import { ScanTrigger, RESCAN_SECONDS } from './trigger.js';
import { raiseOpenFiles, type OpenFilesSyscalls } from './open-files.js';
import { readFileSync } from 'node:fs';

export interface SvscanOptions {
  readonly env: readonly Buffer[];
  readonly plan: ExecPlan;
  readonly rescanSeconds?: number;
  onScanProblem(problem: ScanProblem): void;
  onSupervisorReport(report: SupervisorReport): void;
}

export class Svscan {
  private readonly scanner: Scanner<Supervisor>;
  private readonly trigger: ScanTrigger;
  private readonly shutdown: Shutdown;
  /** Gives memory back once a burst of starts is over (src/lib/scan/settle.ts). */
  private readonly settle = new Settle(() => giveBack(native()));
  /** And once more when the burst is long over, for V8 to shrink its young generation. */
  private readonly shrink = new Settle(() => giveBack(native()), SHRINK_MS);
  /** Holds the log pipes' read ends should svscan die (src/lib/scan/keeper.ts); null where there is none. */
  private readonly keeper: PipeKeeper | null;
  private stopping: Promise<void> | undefined;
  /** Once the log host listens: asks an adopted logger back in (src/lib/loghost/rehost.ts). */
  private askBack: ((pid: number) => void) | undefined;
  /** The log host's listening socket, once it listens. */
  private hostFd: number | null = null;

  constructor(options: SvscanOptions) {
    const host = supervisorHost({
      ...options,
      onStart: () => void this.poke(),
      onAdopt: (pid) => this.askBack?.(pid),
    });
    this.scanner = new Scanner(host, (supervisor) => this.shutdown.ended(supervisor));
    this.shutdown = new Shutdown(this.scanner);
    const keeping = systemKeeper();
    this.keeper = keeping === null ? null : new PipeKeeper(keeping);
    this.trigger = new ScanTrigger(() => this.rescan(), {
      rescanMs: (options.rescanSeconds ?? RESCAN_SECONDS) * 1000,
    });
  }

  /** Scans the current directory now and keeps it supervised from then on. */
  start(): void {
    raiseOpenFiles(systemOpenFiles(), native().constants.RLIMIT.NOFILE!);
    adoptOrphans();
    // Loggers our supervisors start run their multilog engine here (src/lib/loghost).
    const { startLogHost, listeningFd } = require('../loghost/server.js') as typeof import('../loghost/server.js');
    const { hostMultilog } = require('../loghost/multilog.js') as typeof import('../loghost/multilog.js');
    // Taking a logger in is part of its service's start: the settle waits for the last one.
    const server = startLogHost(native(), hostMultilog, { onHosted: () => this.poke() });
    if (server !== null) {
      // Its socket outlives us in the keeper, for an orphan host (src/lib/loghost/orphans.ts).
      const fd = listeningFd(server);
      this.hostFd = fd >= 0 ? fd : null;
      // An adopted logger that runs as a Node multilog (its host died) is asked back in.
      this.askBack = (require('../loghost/rehost.js') as typeof import('../loghost/rehost.js')).askBack;
    }
    this.trigger.start();
    // Start-up is a burst too: its garbage goes once it is over, whether or not it started anything.
    this.poke();
  }

  /** A start, or a logger taken in: the settle waits for the burst's last one. */
  private readonly poke = (): (() => void) => {
    this.settle.poke();
    this.shrink.poke();
    return () => undefined;
  };

  private rescan(): void {
    // A scan that found nothing new leaves the pipes as they were, and the keeper holding them.
    if (this.scanner.scan() && (!this.scanner.idle || this.keeper?.behind)) this.keeper?.hold(this.scanner.pipeReads(), this.hostFd);
  }

  /** Brings every service down and lets every supervisor go; resolves when all are down. */
  stop(): Promise<void> {
    if (this.stopping === undefined) {
      this.trigger.close();
      this.settle.close();
      this.shrink.close();
      this.keeper?.close();
      this.stopping = this.shutdown.run();
    }
    return this.stopping;
  }
}

function systemOpenFiles(): OpenFilesSyscalls {
  const n = native();
  return {
    geteuid: () => process.geteuid?.() ?? -1,
    getrlimit: (r) => n.getrlimit(r),
    setrlimit: (r, cur, max) => n.setrlimit(r, cur, max),
    ceiling() {
      try {
        return BigInt(readFileSync('/proc/sys/fs/nr_open', 'latin1').trim());
      } catch {
        return null;
      }
    },
  };
}
