/**
 * How many threads this probe process's kernels may use: the runner's share of its jobs
 * (`threads` on the start command, and `threads` commands while a run goes). 1 until told
 * otherwise, so a probe alone in a test or a bench uses one thread unless asked.
 */
type Listener = (threads: number) => void;

let budget = 1;
const listeners = new Set<Listener>();

export function threadBudget(): number {
  return budget;
}

/** Sets the budget (a whole number ≥ 1) and tells whoever listens, when it changed. */
export function setThreadBudget(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`thread budget must be a whole number ≥ 1, got ${threads}`);
  if (threads === budget) return;
  budget = threads;
  for (const listen of listeners) listen(threads);
}

/** Calls `listen` on every change; returns the unsubscribe. */
export function onThreadBudget(listen: Listener): () => void {
  listeners.add(listen);
  return () => listeners.delete(listen);
}
