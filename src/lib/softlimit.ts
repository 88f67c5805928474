// softlimit's options and the soft limits they ask for: each letter names one or more resources,
// its argument is a decimal number (clamped to the hard limit) or "=" (the hard limit itself).
import { Getopt, type GetoptProblem } from './sgetopt.js';

/** Resource names as in native().constants.RLIMIT, per option letter, in the order C sets them. */
export const OPTION_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  a: ['AS'],
  c: ['CORE'],
  d: ['DATA'],
  f: ['FSIZE'],
  l: ['MEMLOCK'],
  m: ['DATA', 'STACK', 'MEMLOCK', 'AS'],
  o: ['NOFILE'],
  p: ['NPROC'],
  r: ['RSS'],
  s: ['STACK'],
  t: ['CPU'],
};

export const OPTION_SPEC = 'a:c:d:f:l:m:o:p:r:s:t:';

/** The argument that means "as high as the hard limit". */
export const HARD_LIMIT = '=';

const ULONG_MODULUS = 1n << 64n;

/**
 * scan_ulong: the value of the leading decimal digits (wrapping as a 64-bit unsigned long does)
 * and how many characters they took.
 */
export function scanUlong(text: string): { value: bigint; length: number } {
  let value = 0n;
  let length = 0;
  while (length < text.length) {
    const digit = text.charCodeAt(length) - 48;
    if (digit < 0 || digit > 9) break;
    value = (value * 10n + BigInt(digit)) % ULONG_MODULUS;
    length++;
  }
  return { value, length };
}

/** Is `arg` acceptable to softlimit? "=" or digits only -- the empty word counts, as 0. */
export function validLimit(arg: string): boolean {
  return arg === HARD_LIMIT || scanUlong(arg).length === arg.length;
}

/** The soft limit `arg` asks for, given the resource's current hard limit. */
export function softLimit(arg: string, hard: bigint): bigint {
  if (arg === HARD_LIMIT) return hard;
  const { value } = scanUlong(arg);
  return value > hard ? hard : value;
}

export interface LimitSetting {
  readonly resources: readonly string[];
  readonly arg: string;
}

export type SoftlimitArgs =
  | { readonly kind: 'run'; readonly settings: readonly LimitSetting[]; readonly child: readonly string[] }
  /** Bad usage; `problem` when getopt itself complained first. */
  | { readonly kind: 'usage'; readonly problem?: GetoptProblem };

/** Parses softlimit's command line. */
export function parseSoftlimitArgs(argv: readonly string[]): SoftlimitArgs {
  const getopt = new Getopt(argv, OPTION_SPEC);
  const settings: LimitSetting[] = [];
  for (let opt = getopt.next(); opt !== null; opt = getopt.next()) {
    if (opt.kind === 'problem') return { kind: 'usage', problem: opt };
    const arg = opt.arg!;
    if (!validLimit(arg)) return { kind: 'usage' };
    settings.push({ resources: OPTION_RESOURCES[opt.opt]!, arg });
  }
  const child = argv.slice(getopt.optind);
  if (child.length === 0) return { kind: 'usage' };
  return { kind: 'run', settings, child };
}
