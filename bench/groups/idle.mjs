import { group } from '../lib/report.mjs';
export async function idle() {
  const r = group('idle', []);
  r.notes.push('todo');
  return r;
}
