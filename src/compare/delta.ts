/**
 * What the webview has already been sent, per run, so each update carries only what is new:
 * step records and flags past the last ones sent, a run's header when its status changed, and
 * notes the webview has not received. Pure: the panel host feeds it the session's document.
 */
import type { ResultsDocument, RunRecord } from '../results';
import { summarizeSeeds } from '../probe/seedSummary';
import { hasSeveralSeeds } from '../view/intervals';
import type { PanelMeta, PanelNote, PanelRun, RunDelta, RunHeader } from '../protocol/panel';

export interface PanelExtras {
  title: string;
  skipped: readonly string[];
  running: boolean;
}

export type NoteSource = (id: string) => PanelNote | undefined;

interface Sent {
  steps: number;
  flags: number;
  headerKey: string;
}

export function runHeader(run: RunRecord, stepsPlanned?: number): RunHeader {
  const header: RunHeader = {
    runId: run.runId,
    initializer: run.initializer,
    spec: run.spec,
    activation: run.activation,
    hidden: run.hidden,
    status: run.status,
    layers: run.layers,
  };
  if (run.seed !== undefined) header.seed = run.seed;
  if (run.error !== undefined) header.error = run.error;
  if (run.backend !== undefined) header.backend = run.backend;
  if (run.backendReason !== undefined) header.backendReason = run.backendReason;
  if (run.inputSecondMoment !== undefined) header.inputSecondMoment = run.inputSecondMoment;
  if (stepsPlanned !== undefined) header.stepsPlanned = stepsPlanned;
  if (run.final !== undefined) header.final = run.final;
  if (run.timing !== undefined) header.timing = run.timing;
  if (run.tensorLeak !== undefined) header.tensorLeak = run.tensorLeak;
  if (run.network !== undefined) header.network = run.network;
  return header;
}

/** Changes whenever a header field the webview shows changes (steps and flags travel apart). */
function headerKey(run: RunRecord): string {
  return `${run.status}|${run.layers.length}|${run.network?.length ?? 0}|${run.backend ?? ''}|${run.final ? 'f' : ''}|${run.error ?? ''}`;
}

export function panelMeta(doc: ResultsDocument, extras: PanelExtras): PanelMeta {
  const seeds = hasRepeatedInitializer(doc.runs) ? summarizeSeeds(doc.runs) : undefined;
  return {
    ...(seeds ? { seeds } : {}),
    title: extras.title,
    skipped: [...extras.skipped],
    running: extras.running,
    createdAt: doc.createdAt,
    config: doc.config,
    data: doc.data,
    backend: doc.backend,
  };
}

/** Several seeds of one initializer: the panel shows means with intervals. */
export function hasRepeatedInitializer(runs: readonly Pick<RunRecord, 'initializer' | 'seed'>[]): boolean {
  return hasSeveralSeeds(runs);
}

export class DeltaTracker {
  private doc: ResultsDocument | undefined;
  private readonly sent = new Map<string, Sent>();
  private readonly notesSent = new Set<string>();
  private metaKey = '';

  constructor(
    private readonly notes: NoteSource,
    private readonly plannedSteps: (runId: string) => number | undefined = () => undefined,
  ) {}

  /** The document the webview shows; a different one needs a snapshot. */
  get document(): ResultsDocument | undefined {
    return this.doc;
  }

  /** Everything, and the counters reset to it: after `ready`, after the panel was hidden, or for a new document. */
  snapshot(doc: ResultsDocument | undefined, extras: PanelExtras): { meta: PanelMeta | null; runs: PanelRun[]; notes: PanelNote[] } {
    this.doc = doc;
    this.sent.clear();
    this.notesSent.clear();
    if (!doc) {
      this.metaKey = '';
      return { meta: null, runs: [], notes: [] };
    }
    const meta = panelMeta(doc, extras);
    this.metaKey = JSON.stringify(meta);
    const runs = doc.runs.map((run) => {
      this.sent.set(run.runId, { steps: run.steps.length, flags: run.flags.length, headerKey: headerKey(run) });
      return { ...runHeader(run, this.plannedSteps(run.runId)), steps: [...run.steps], flags: [...run.flags] };
    });
    return { meta, runs, notes: this.newNotes(doc.runs) };
  }

  /** What changed since the last snapshot or delta; undefined when nothing did. */
  delta(extras: PanelExtras): { runs: RunDelta[]; notes: PanelNote[]; meta?: PanelMeta } | undefined {
    const doc = this.doc;
    if (!doc) return undefined;
    const runs: RunDelta[] = [];
    for (const run of doc.runs) {
      const seen = this.sent.get(run.runId);
      const key = headerKey(run);
      const steps = run.steps.slice(seen?.steps ?? 0);
      const flags = run.flags.slice(seen?.flags ?? 0);
      const headerChanged = !seen || seen.headerKey !== key;
      if (!headerChanged && steps.length === 0 && flags.length === 0) continue;
      const delta: RunDelta = { runId: run.runId, steps, flags };
      if (headerChanged) delta.header = runHeader(run, this.plannedSteps(run.runId));
      runs.push(delta);
      this.sent.set(run.runId, { steps: run.steps.length, flags: run.flags.length, headerKey: key });
    }
    const meta = panelMeta(doc, extras);
    const metaKey = JSON.stringify(meta);
    const metaChanged = metaKey !== this.metaKey;
    this.metaKey = metaKey;
    const notes = this.newNotes(doc.runs);
    if (runs.length === 0 && notes.length === 0 && !metaChanged) return undefined;
    return metaChanged ? { runs, notes, meta } : { runs, notes };
  }

  private newNotes(runs: readonly RunRecord[]): PanelNote[] {
    const out: PanelNote[] = [];
    for (const run of runs) {
      // Flags' notes, and the note on what normalization or a zero-started branch changes when a layer has such a role.
      const ids = [...run.flags.map((f) => f.note), ...run.layers.flatMap((l) => (l.scaleRole ? [l.scaleRole.note] : []))];
      for (const id of ids) {
        if (this.notesSent.has(id)) continue;
        this.notesSent.add(id);
        const note = this.notes(id);
        if (note) out.push(note);
      }
    }
    return out;
  }
}
