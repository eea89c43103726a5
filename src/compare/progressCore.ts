/** How far a comparison is, for the progress notification: pure, from the results document. */
import { isRunDone } from '../protocol/vocabulary';
import type { ResultsDocument } from '../results';

export interface ComparisonProgress {
  /** 0…1 over all runs, each weighted by its planned steps. */
  fraction: number;
  done: number;
  total: number;
  /** "he_normal step 120/1000", the runs in flight. */
  message: string;
}

export function comparisonProgress(doc: ResultsDocument, plannedSteps: (runId: string) => number | undefined): ComparisonProgress {
  let weight = 0;
  let progressed = 0;
  let done = 0;
  const live: string[] = [];
  for (const run of doc.runs) {
    const planned = Math.max(1, plannedSteps(run.runId) ?? doc.config?.steps ?? 1);
    weight += planned;
    if (isRunDone(run.status)) {
      done += 1;
      progressed += planned;
      continue;
    }
    const last = run.steps.at(-1)?.step ?? 0;
    progressed += Math.min(planned, last);
    if (run.status === 'running') live.push(`${run.initializer} step ${last}/${planned}`);
  }
  const total = doc.runs.length;
  const head = `${done} of ${total} done`;
  return { fraction: weight > 0 ? progressed / weight : 0, done, total, message: live.length > 0 ? `${head} · ${live.join(' · ')}` : head };
}
