/** How a comparison's runs read at a glance (the sidebar's progress line). */
import type { RunStatus } from '../protocol/vocabulary';

/** One line for the whole comparison: '2 running, 1 queued, 1 finished'. */
export function progressSummary(runs: readonly { status: RunStatus }[]): string {
  if (runs.length === 0) return 'no runs yet';
  const order: RunStatus[] = ['running', 'queued', 'finished', 'failed', 'cancelled'];
  const counts = new Map<RunStatus, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return order
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
}
