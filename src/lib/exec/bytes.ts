// Byte strings: environment entries and arguments carried as JavaScript strings of one character
// per byte (latin1), so that what another program handed over reaches the next one unchanged,
// whatever its encoding (C daemontools never decodes them). Decoded text (UTF-8) is for our own
// use: paths we open, words we print.

const ASCII = /^[\x00-\x7f]*$/;

/** ASCII only: a byte string that is its own UTF-8 text, and text that is its own bytes. */
export const isAscii = (s: string): boolean => ASCII.test(s);

/** The bytes of a byte string, for the system. */
export const toBytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/**
 * A byte string as the system (Node's fs, the addon) takes it: itself when ASCII, whose UTF-8 is
 * the same bytes; else its bytes. A start that meets only ASCII makes no Buffer for it.
 */
export const systemBytes = (s: string): string | Buffer => (ASCII.test(s) ? s : toBytes(s));

/**
 * The byte string of `bytes[start, end)`, one character per byte, without Buffer's encoding
 * machinery (whose code a short start would compile just for this).
 */
export function byteText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const CHUNK = 8192; // arguments per String.fromCharCode call, well inside any engine's limit
  let text = '';
  for (let at = start; at < end; at += CHUNK) text += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + CHUNK)) as unknown as number[]);
  return text;
}

/** The byte string of some text's UTF-8 encoding (what the system would be handed for it). */
export const textBytes = (text: string): string => (ASCII.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1'));

/**
 * Whether Node's reading of an argument may hide its bytes: it decodes valid UTF-8 exactly, and
 * every sequence that is not (a stray byte, an overlong form, a surrogate) to U+FFFD, so an
 * argument without one is its own UTF-8 bytes.
 */
export const mayHideBytes = (arg: string): boolean => arg.includes('\ufffd');

/** A byte string read as UTF-8 text (invalid sequences become U+FFFD, as Node decodes argv). */
export const asText = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

/** An environment of byte strings, for execve. */
export const envBytes = (env: readonly string[]): Buffer[] => env.map(toBytes);

/**
 * The byte strings behind `argv` (a program name, then Node's UTF-8 reading of the last arguments
 * of the command line), taken from `cmdline` (the command line's NUL-terminated arguments, as a
 * byte string; null where the system does not show it). Where they cannot be matched up, each
 * argument's UTF-8 bytes.
 */
export function argvBytes(argv: readonly string[], cmdline: string | null): string[] {
  const args = argv.slice(1);
  const all = cmdline === null ? [] : cmdline.split('\0');
  if (all.at(-1) === '') all.pop();
  const tail = all.slice(Math.max(0, all.length - args.length));
  const matched = tail.length === args.length && tail.every((b, i) => asText(b) === args[i]);
  return [textBytes(argv[0] ?? ''), ...(matched ? tail : args.map(textBytes))];
}
