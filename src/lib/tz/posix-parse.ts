// POSIX TZ strings ("EST5EDT,M3.2.0,M11.1.0") read as glibc's tzset.c reads them, quirks included:
// a rule that fails to parse keeps what it had read, numbers go through sscanf's %hu.
import { blankRules, type Rule, type Rules } from './posix-rule.js';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);

const ULONG_MAX = (1n << 64n) - 1n;

/** sscanf's %hu at `at`: blanks, an optional sign, digits, converted as strtoul then cut to 16 bits. */
function scanU16(s: string, at: number): { value: number; end: number } | null {
  let i = at;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  const from = i;
  while (isDigit(s[i])) i++;
  if (i === from) return null;
  let v = BigInt(s.slice(from, i));
  if (v > ULONG_MAX) v = ULONG_MAX;
  else if (negative) v = BigInt.asUintN(64, -v);
  return { value: Number(v & 0xffffn), end: i };
}

/** sscanf(s, "%hu%n:%hu%n:%hu%n"): the fields read and how far the last %n got. */
function scanClock(s: string, at: number): { fields: number[]; consumed: number } {
  const fields: number[] = [];
  let consumed = 0;
  let i = at;
  for (let k = 0; k < 3; k++) {
    if (k > 0) {
      if (s[i] !== ':') break;
      i++;
    }
    const got = scanU16(s, i);
    if (got === null) break;
    fields.push(got.value);
    i = got.end;
    consumed = i - at;
  }
  return { fields, consumed };
}

/** A cursor over the TZ string. */
export interface Cursor {
  readonly s: string;
  at: number;
}

function parseName(c: Cursor, rule: Rule): boolean {
  let p = c.at;
  while (isAlpha(c.s[p])) p++;
  if (p - c.at >= 3) {
    rule.name = c.s.slice(c.at, p);
    c.at = p;
    return true;
  }
  p = c.at;
  if (c.s[p++] !== '<') return false;
  const start = p;
  while (isAlpha(c.s[p]) || isDigit(c.s[p]) || c.s[p] === '+' || c.s[p] === '-') p++;
  if (c.s[p++] !== '>' || p - 1 - start < 3) return false;
  rule.name = c.s.slice(start, p - 1);
  c.at = p;
  return true;
}

function parseOffset(c: Cursor, rules: Rules, which: 0 | 1): boolean {
  let at = c.at;
  const ch = c.s[at];
  if (which === 0 && (ch === undefined || (ch !== '+' && ch !== '-' && !isDigit(ch)))) return false;
  let sign = -1;
  if (ch === '+' || ch === '-') {
    sign = ch === '-' ? 1 : -1;
    at++;
  }
  c.at = at;
  const { fields, consumed } = scanClock(c.s, at);
  if (fields.length > 0) {
    const [hh = 0, mm = 0, ss = 0] = fields;
    rules[which].offset = sign * (Math.min(ss, 59) + Math.min(mm, 59) * 60 + Math.min(hh, 24) * 3600);
  } else if (which === 0) {
    rules[0].offset = 0;
    return false;
  } else {
    rules[1].offset = rules[0].offset + 3600;
  }
  c.at = at + consumed;
  return true;
}

function parseRule(c: Cursor, rules: Rules, which: 0 | 1): boolean {
  const s = c.s;
  const r = rules[which];
  let at = c.at;
  if (s[at] === ',') at++;
  const ch = s[at];
  if (ch === 'J' || isDigit(ch)) {
    r.kind = ch === 'J' ? 'J1' : 'J0';
    if (r.kind === 'J1' && !isDigit(s[++at])) return false;
    let end = at;
    let d = 0;
    while (isDigit(s[end])) d = Math.min(d * 10 + s.charCodeAt(end++) - 48, 1e6);
    if (end === at || d > 365 || (r.kind === 'J1' && d === 0)) return false;
    r.day = d;
    at = end;
  } else if (ch === 'M') {
    r.kind = 'M';
    const m = scanU16(s, at + 1);
    const n = m && s[m.end] === '.' ? scanU16(s, m.end + 1) : null;
    const d = n && s[n.end] === '.' ? scanU16(s, n.end + 1) : null;
    if (m) r.month = m.value;
    if (n) r.week = n.value;
    if (d) r.day = d.value;
    if (!m || !n || !d || r.month < 1 || r.month > 12 || r.week < 1 || r.week > 5 || r.day > 6) return false;
    at = d.end;
  } else if (ch === undefined) {
    // No rules at all: the United States' since 2007.
    r.kind = 'M';
    [r.month, r.week, r.day] = which === 0 ? [3, 2, 0] : [11, 1, 0];
  } else return false;

  const next = s[at];
  if (next !== undefined && next !== '/' && next !== ',') return false;
  if (next === '/') {
    at++;
    if (s[at] === undefined) return false;
    const negative = s[at] === '-';
    if (negative) at++;
    const { fields, consumed } = scanClock(s, at);
    const [hh = 2, mm = 0, ss = 0] = fields;
    at += consumed;
    r.secs = (negative ? -1 : 1) * (hh * 3600 + mm * 60 + ss);
  } else r.secs = 2 * 3600;
  r.computedFor = -1;
  c.at = at;
  return true;
}

/** Where a TZ string's DST part has names but no rules: glibc takes the rules from posixrules. */
export type DefaultRules = (std: Rule, dst: Rule) => boolean;

/** __tzset_parse_tz: returns the rules; `onNoRules` may take over (returning true) instead. */
export function parseTzString(tz: string, onNoRules?: DefaultRules): Rules | null {
  const rules = blankRules();
  const c: Cursor = { s: tz, at: 0 };
  if (parseName(c, rules[0]) && parseOffset(c, rules, 0)) {
    if (c.at < tz.length) {
      if (parseName(c, rules[1])) {
        parseOffset(c, rules, 1);
        const rest = tz.slice(c.at);
        if ((rest === '' || rest === ',') && onNoRules?.(rules[0], rules[1])) return null;
      }
      if (parseRule(c, rules, 0)) parseRule(c, rules, 1);
    } else {
      rules[1].name = rules[0].name;
      rules[1].offset = rules[0].offset;
    }
  }
  return rules;
}
