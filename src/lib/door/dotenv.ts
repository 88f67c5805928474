// .env files read by the rules of the `dotenv` package (v16), so that `daemontools add --env-file`
// gives a service the values its Node code would have had from require('dotenv').config():
//   KEY=value, `export KEY=value` and `KEY: value` (a blank after the colon); keys of letters,
//   digits, `_`, `.` and `-`; a value in '…', "…" or `…` may span lines, a backslash before the
//   quote keeps it inside; only in "…" do \n and \r become a newline and a carriage return; an
//   unquoted value ends at `#` or the line's end and is trimmed; lines of any other shape are
//   skipped; a later definition of a key wins.

const KEY = /^[\w.-]+/;
const QUOTES = `'"\``;

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f' || c === '\v';

/** Where the line holding `i` ends (its newline, or the text's end). */
function lineEnd(src: string, i: number): number {
  const n = src.indexOf('\n', i);
  return n < 0 ? src.length : n;
}

/** Only blanks, then optionally a comment, from `i` to the line's end. */
function restIsEmpty(src: string, i: number): boolean {
  const rest = src.slice(i, lineEnd(src, i)).trimStart();
  return rest === '' || rest.startsWith('#');
}

/** The quoted value opening at `open`: its closing quote (the last one the line's rest allows), or -1. */
function closingQuote(src: string, open: number): number {
  const q = src[open]!;
  let found = -1;
  for (let k = open + 1; k < src.length; k++) {
    if (src[k] !== q) continue;
    if (restIsEmpty(src, k + 1)) found = k;
    // A quote with no backslash before it cannot be inside the value: no later one can close it.
    if (src[k - 1] !== '\\') break;
  }
  return found;
}

/** A raw value's surrounding quotes taken off, and "…"'s escapes applied. */
function unquote(raw: string): string {
  const q = raw[0];
  let value = raw.length >= 2 && q !== undefined && QUOTES.includes(q) && raw.endsWith(q) ? raw.slice(1, -1) : raw;
  if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  return value;
}

/** The variables of a .env file's text, in the order first defined. */
export function parseDotenv(text: string): Map<string, string> {
  const src = text.replace(/\r\n?/g, '\n');
  const out = new Map<string, string>();
  let i = 0;
  while (i < src.length) {
    const end = lineEnd(src, i);
    let at = i;
    while (isBlank(src[at])) at++;
    const exported = /^export[ \t]+/.exec(src.slice(at, end));
    if (exported) at += exported[0].length;
    const key = KEY.exec(src.slice(at, end))?.[0];
    if (key === undefined) {
      i = end + 1;
      continue;
    }
    at += key.length;
    while (isBlank(src[at])) at++;
    if (src[at] === '=') at++;
    else if (src[at] === ':' && isBlank(src[at + 1])) at += 2;
    else {
      i = end + 1;
      continue;
    }
    while (isBlank(src[at])) at++;
    const close = QUOTES.includes(src[at] ?? 'x') ? closingQuote(src, at) : -1;
    if (close >= 0) {
      out.set(key, unquote(src.slice(at, close + 1)));
      i = lineEnd(src, close) + 1;
      continue;
    }
    const hash = src.indexOf('#', at);
    out.set(key, unquote(src.slice(at, hash >= 0 && hash < end ? hash : end).trim()));
    i = end + 1;
  }
  return out;
}
