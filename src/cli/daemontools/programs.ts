// One entry per daemontools program for `daemontools help`: its synopsis and what it is for, in a
// few lines. The man pages (man/<program>.1) say it all; this is the summary at hand.

export interface ProgramHelp {
  readonly synopsis: string;
  /** One line, for the list. */
  readonly summary: string;
  /** A few lines, for `daemontools help <program>`. */
  readonly details: readonly string[];
}

export const PROGRAMS: Readonly<Record<string, ProgramHelp>> = {
  svscan: {
    synopsis: 'svscan [dir]',
    summary: 'start and watch a supervisor for every service in a directory',
    details: [
      'Looks at dir (default: the current directory) now and whenever it changes, at least every 5 s.',
      'Each subdirectory not starting with a dot is a service; a service with a log subdirectory gets',
      'a second supervisor for log, its standard input joined by a pipe to the service\'s output.',
    ],
  },
  svscanboot: {
    synopsis: 'svscanboot',
    summary: 'run svscan on the scan directory at boot, errors shown through readproctitle',
    details: [
      'Meant to be started (and restarted) by init: takes down what a previous run left, then runs',
      'svscan on the scan directory with its errors piped into readproctitle.',
    ],
  },
  supervise: {
    synopsis: 'supervise dir',
    summary: 'run dir/run, restart it when it exits, obey svc',
    details: [
      'Starts ./run in dir (unless dir/down exists) and starts it again a second after each exit.',
      'Keeps its state in dir/supervise: lock, control and ok FIFOs, and the 18-byte status file.',
      'Exits 111 if another supervise already holds dir/supervise/lock.',
    ],
  },
  svc: {
    synopsis: 'svc -udopchaitkx dir...',
    summary: 'send commands to the supervise running in each dir',
    details: [
      '-u up, -d down, -o once, -p pause (STOP), -c continue (CONT), -h HUP, -a ALRM, -i INT,',
      '-t TERM, -k KILL, -x exit supervise once the service is down. Commands go in one write.',
    ],
  },
  svok: {
    synopsis: 'svok dir',
    summary: 'exit 0 if a supervise is running in dir, 100 if not',
    details: ['Checks for a reader on dir/supervise/ok; exits 111 if dir cannot be entered.'],
  },
  svstat: {
    synopsis: 'svstat dir...',
    summary: 'print one line per service: up or down, pid, seconds, flags',
    details: [
      'Reads dir/supervise/status as supervise wrote it: "up (pid N) S seconds" or "down S seconds",',
      'followed by "normally down", "normally up", "paused", "want up" or "want down" where they apply.',
    ],
  },
  fghack: {
    synopsis: 'fghack child',
    summary: 'keep a program that puts itself in the background in the foreground',
    details: ['Runs child with many extra pipe ends open and waits until every copy has closed them.'],
  },
  pgrphack: {
    synopsis: 'pgrphack child',
    summary: 'run child in a new session and process group',
    details: ['Calls setsid, then runs child.'],
  },
  multilog: {
    synopsis: 'multilog script',
    summary: 'read a log from standard input and write it to rotated, size-capped directories',
    details: [
      'Actions: t (timestamp lines), +pattern/-pattern (select), e (to stderr), =file (status),',
      'sN, nN, !processor (per directory), then ./dir or /dir (append to that log directory).',
    ],
  },
  tai64n: {
    synopsis: 'tai64n',
    summary: 'put a TAI64N timestamp in front of each line',
    details: ['Copies standard input to standard output, prefixing each line with @ and 24 hex digits.'],
  },
  tai64nlocal: {
    synopsis: 'tai64nlocal',
    summary: 'turn TAI64N timestamps into local dates and times',
    details: ['Replaces a leading @ and 24 hex digits on each line with YYYY-MM-DD HH:MM:SS.nnnnnnnnn.'],
  },
  setuidgid: {
    synopsis: 'setuidgid account child',
    summary: 'run child as account (its uid, gid, and only that gid as groups)',
    details: ['Exits 111 if account does not exist or the ids cannot be set.'],
  },
  envuidgid: {
    synopsis: 'envuidgid account child',
    summary: 'run child with UID and GID set to account\'s ids in the environment',
    details: ['Changes no credentials; a later setuidgid-like step can use $UID and $GID.'],
  },
  envdir: {
    synopsis: 'envdir d child',
    summary: 'run child with environment variables set from the files in directory d',
    details: [
      'A file s sets $s to its first line (NULs become newlines, trailing spaces and tabs dropped);',
      'an empty file removes $s.',
    ],
  },
  softlimit: {
    synopsis: 'softlimit opts child',
    summary: 'run child with soft resource limits lowered',
    details: [
      '-m (data, stack, locked memory, address space), -a, -d, -s, -l, -o, -p, -f, -c, -r, -t;',
      'the value = means the hard limit. A limit above the hard limit is capped.',
    ],
  },
  setlock: {
    synopsis: 'setlock [-nNxX] file child',
    summary: 'run child holding an exclusive lock on file',
    details: ['-n: do not wait for the lock (give up if held); -x: exit 0 quietly instead of failing.'],
  },
  readproctitle: {
    synopsis: 'readproctitle io padding',
    summary: 'show the last bytes of standard input in the process title (ps output)',
    details: ['The padding argument reserves the space; new input scrolls older bytes out to the left.'],
  },
};

export const PROGRAM_NAMES = Object.keys(PROGRAMS).sort();
