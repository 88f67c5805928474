import { group } from '../lib/report.mjs';
export async function reaction() {
  const r = group('reaction', []);
  r.notes.push('todo');
  return r;
}
