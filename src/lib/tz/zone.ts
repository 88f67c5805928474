// Which zone tzset picks for TZ, as glibc does: unset means /etc/localtime; empty, UTC; a name is
// a file under TZDIR or /usr/share/zoneinfo; failing that, a POSIX rule string (a DST name without
// rules borrowing posixrules' transitions); failing that too, UTC.
import { readFileSync } from 'node:fs';
import { parseTzString } from './posix-parse.js';
import { blankRules, type Rule, type Rules } from './posix-rule.js';
import { parseTzif, type TzData } from './tzif.js';

export const TZDEFAULT = '/etc/localtime';
export const TZDIR = '/usr/share/zoneinfo';
/** Where glibc takes DST rules for a TZ string that names a DST zone but gives no rules. */
const TZDEFRULES = 'posixrules';

export type Zone =
  | {
      readonly kind: 'file';
      readonly data: TzData;
      /** What every call after the first uses, where glibc's first call differs (see defaultRules). */
      readonly later?: TzData;
    }
  | { readonly kind: 'rules'; readonly rules: Rules };

function readTzfile(name: string, env: NodeJS.ProcessEnv): TzData | null {
  if (name === '') return null;
  let file = name;
  if (!file.startsWith('/')) file = `${env.TZDIR ? env.TZDIR : TZDIR}/${file}`;
  try {
    return parseTzif(readFileSync(file));
  } catch {
    return null;
  }
}

/**
 * The rule offsets __tzfile_default corrects posixrules' transitions by. glibc 2.36's
 * __tzfile_read sets the standard one (the last standard-time type) but leaves the daylight one
 * as it was unless the file has no transitions: 0 on the first call, afterwards the DST offset
 * the previous call set.
 */
function ruleOffsets(data: TzData, dstBefore: number): [std: number, dst: number] {
  if (data.transitions.length === 0) return [data.types[0]!.offset, data.types[0]!.offset];
  for (let i = data.transitions.length - 1; i >= 0; i--) {
    const t = data.types[data.typeIndex[i]!]!;
    if (!t.isdst) return [t.offset, dstBefore];
  }
  return [0, dstBefore];
}

/**
 * __tzfile_default: posixrules' transitions, moved to the offsets a TZ string gave. glibc then
 * forgets the TZ value, so every localtime() call does this again -- with the daylight rule
 * offset the previous call left behind.
 */
function defaultRules(std: Rule, dst: Rule, env: NodeJS.ProcessEnv, dstBefore: number): TzData | null {
  const data = readTzfile(TZDEFRULES, env);
  if (data === null || data.types.length < 2) return null;
  const [ruleStd, ruleDst] = ruleOffsets(data, dstBefore);
  const transitions = data.transitions.slice();
  const typeIndex = data.typeIndex.slice();
  let isdst = false;
  for (let i = 0; i < transitions.length; i++) {
    const type = data.types[typeIndex[i]!]!;
    typeIndex[i] = type.isdst ? 1 : 0;
    if (type.isgmt) {
      // already UTC
    } else if (isdst && !type.isstd) transitions[i]! += dst.offset - ruleDst;
    else transitions[i]! += std.offset - ruleStd;
    isdst = type.isdst;
  }
  const types = [
    { ...data.types[0]!, offset: std.offset, isdst: false },
    { ...data.types[1]!, offset: dst.offset, isdst: true },
  ];
  return { ...data, transitions, typeIndex, types };
}

/** tzset for a TZ value (undefined when unset). */
export function loadZone(tzValue: string | undefined, env: NodeJS.ProcessEnv = process.env): Zone {
  let tz = tzValue === '' ? 'Universal' : tzValue;
  if (tz?.startsWith(':')) tz = tz.slice(1);
  tz ??= TZDEFAULT;
  const data = readTzfile(tz, env);
  if (data !== null && data.types.length > 0) return { kind: 'file', data };
  if (tz === '' || tz === TZDEFAULT) return { kind: 'rules', rules: blankRules('UTC') };
  const taken: { first: TzData | null; later: TzData | null } = { first: null, later: null };
  const rules = parseTzString(tz, (std, dst) => {
    taken.first = defaultRules(std, dst, env, 0);
    taken.later = defaultRules(std, dst, env, dst.offset);
    return taken.first !== null;
  });
  return rules === null ? { kind: 'file', data: taken.first!, later: taken.later! } : { kind: 'rules', rules };
}

/** The zone the process's TZ names. */
export function zoneFromEnvironment(env: NodeJS.ProcessEnv = process.env): Zone {
  return loadZone(env.TZ, env);
}
