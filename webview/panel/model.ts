/**
 * The webview's copy of the results: a snapshot replaces it, a delta appends to it. Pure (no
 * DOM) so the unit tests drive it directly. A delta for a run the webview never saw, or one
 * whose steps do not continue where the copy ends, asks for a snapshot instead of guessing.
 */
import type { HostMessage, PanelMeta, PanelNote, PanelRun } from '../../src/protocol/panel';

export interface PanelModel {
  seq: number;
  meta: PanelMeta | null;
  runs: PanelRun[];
  notes: Map<string, PanelNote>;
}

export function emptyModel(): PanelModel {
  return { seq: 0, meta: null, runs: [], notes: new Map() };
}

type Snapshot = Extract<HostMessage, { type: 'snapshot' }>;
type Delta = Extract<HostMessage, { type: 'delta' }>;

export function applySnapshot(message: Snapshot): PanelModel {
  return { seq: message.seq, meta: message.meta, runs: message.runs.map((r) => ({ ...r, steps: [...r.steps], flags: [...r.flags] })), notes: new Map(message.notes.map((n) => [n.id, n])) };
}

export type DeltaResult = { ok: true } | { ok: false; reason: string };

/** Applies a delta in place. Out-of-order or unknown data is refused (the caller logs it). */
export function applyDelta(model: PanelModel, message: Delta): DeltaResult {
  if (message.seq <= model.seq) return { ok: false, reason: `stale delta ${message.seq} after ${model.seq}` };
  for (const delta of message.runs) {
    let run = model.runs.find((r) => r.runId === delta.runId);
    if (!run) {
      if (!delta.header) return { ok: false, reason: `delta for unknown run ${delta.runId}` };
      run = { ...delta.header, steps: [], flags: [] };
      model.runs.push(run);
    } else if (delta.header) {
      Object.assign(run, delta.header);
    }
    const last = run.steps.at(-1)?.step ?? -1;
    const first = delta.steps[0]?.step;
    if (first !== undefined && first <= last) return { ok: false, reason: `run ${delta.runId}: step ${first} does not follow ${last}` };
    run.steps.push(...delta.steps);
    run.flags.push(...delta.flags);
  }
  for (const note of message.notes) model.notes.set(note.id, note);
  if (message.meta) model.meta = message.meta;
  model.seq = message.seq;
  return { ok: true };
}
