// Shell words for the run scripts `daemontools add` writes: quoting that /bin/sh reads back as the
// exact bytes given (spaces, quotes, `$`, backslashes, newlines), and a reader of the simple words
// such scripts (and pm2's `args` strings) are made of.

/** Characters no POSIX shell treats specially anywhere in a word. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `word` as one shell word: bare when nothing in it is special, else in single quotes. */
export function quote(word: string): string {
  if (SAFE.test(word)) return word;
  // Inside single quotes only `'` itself is special: close, add an escaped one, reopen.
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words joined by spaces, each quoted. */
export function quoteAll(words: readonly string[]): string {
  return words.map(quote).join(' ');
}

/**
 * Splits a command line into words as sh would without expansions: blanks separate, single
 * quotes keep everything, double quotes keep all but `\"`, `\\`, `\$` and `` \` ``, a backslash
 * outside quotes keeps the next character. Returns null for an unterminated quote.
 */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word += line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) return null;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
    } else word += c;
  }
  if (inWord) words.push(word);
  return words;
}
