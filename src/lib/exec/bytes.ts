// Byte strings: environment entries and arguments carried as JavaScript strings of one character
// per byte (latin1), so that what another program handed over reaches the next one unchanged,
// whatever its encoding (C daemontools never decodes them). Decoded text (UTF-8) is for our own
// use: paths we open, words we print.

/** The bytes of a byte string, for the system. */
export const toBytes = (s: string): Buffer => Buffer.from(s, 'latin1');

const ASCII = /^[\x00-\x7f]*$/;

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
