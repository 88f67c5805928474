// djb's sgetopt/subgetopt: option letters bundled or apart, an option's argument attached or in
// the next word, stop at the first non-option, at "-" (kept) or after "--"; as softlimit, setlock
// and svc parse their options. State lives in one object so each fused chain link starts afresh.

/** A recognised option letter, with its argument when the spec gives it one (`x:`). */
export interface GetoptOption {
  readonly kind: 'option';
  readonly opt: string;
  readonly arg: string | undefined;
}

/** An unknown letter, or a letter whose argument is missing (C's getopt returns '?'). */
export interface GetoptProblem {
  readonly kind: 'problem';
  /** The offending character. */
  readonly problem: string;
  readonly missingArgument: boolean;
}

export type GetoptResult = GetoptOption | GetoptProblem;

export class Getopt {
  /** Index of the first word not yet consumed; after the last option, the first operand. */
  optind = 1;
  private optpos = 0;

  constructor(
    private readonly argv: readonly string[],
    private readonly spec: string,
  ) {}

  /** The next option, or null when the options are over (see `optind`). */
  next(): GetoptResult | null {
    const argv = this.argv;
    if (this.optind >= argv.length) return null;
    if (this.optpos > 0 && this.optpos >= argv[this.optind]!.length) {
      this.optind++;
      this.optpos = 0;
      if (this.optind >= argv.length) return null;
    }
    let word = argv[this.optind]!;
    if (this.optpos === 0) {
      if (word[0] !== '-') return null;
      if (word.length === 1) return null; // "-" alone is an operand
      if (word[1] === '-') {
        this.optind++; // "--" (or anything starting with it) ends the options and is dropped
        return null;
      }
      this.optpos = 1;
    }
    const opt = String.fromCodePoint(word.codePointAt(this.optpos)!);
    this.optpos += opt.length;
    const at = opt === ':' ? -1 : this.spec.indexOf(opt);
    if (at < 0) return { kind: 'problem', problem: opt, missingArgument: false };
    if (this.spec[at + 1] !== ':') return { kind: 'option', opt, arg: undefined };
    let arg = word.slice(this.optpos);
    this.optind++;
    this.optpos = 0;
    if (arg === '') {
      if (this.optind >= argv.length) return { kind: 'problem', problem: opt, missingArgument: true };
      word = argv[this.optind++]!;
      arg = word;
    }
    return { kind: 'option', opt, arg };
  }
}

/** The name sgetopt prints: argv[0] after its last slash. */
export function progName(argv0: string | undefined): string {
  const name = argv0 ?? '';
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * sgetopt's complaint, as bytes: C prints the single offending byte, which for a multibyte
 * character is only its first byte.
 */
export function problemMessage(argv0: string | undefined, problem: GetoptProblem): Buffer {
  const what = problem.missingArgument ? ': option requires an argument -- ' : ': illegal option -- ';
  const byte = Buffer.from(problem.problem, 'utf8').subarray(0, 1);
  return Buffer.concat([Buffer.from(progName(argv0) + what, 'utf8'), byte, Buffer.from('\n')]);
}
