import { group } from '../lib/report.mjs';
export async function logging() {
  const r = group('logging', []);
  r.notes.push('todo');
  return r;
}
