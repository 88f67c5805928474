// sgetopt's complaint on stderr ("prog: illegal option -- x"), written as the bytes C writes.
import { writeSync } from 'node:fs';
import { problemMessage, type GetoptProblem } from '../lib/sgetopt.js';

export function reportProblem(argv0: string | undefined, problem: GetoptProblem): void {
  try {
    writeSync(2, problemMessage(argv0, problem));
  } catch {
    // stderr closed: C's buffer_2 would lose it too.
  }
}
