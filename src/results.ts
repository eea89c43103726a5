/**
 * The results document: what the CLI prints with --json, what the panel exports and what the
 * history keeps. Built only from probe events (a reducer), never recomputed.
 */
import { isRunDone } from './protocol';
import type { BackendName, DataInfo, ProbeEvent, RunRecord, RunRequest, SeedSummary } from './protocol';

export type { RunRecord, RunStatus } from './protocol';

export interface ResultsDocument {
  tool: 'initlens';
  version: 1;
  createdAt: string;
  backend: BackendName | null;
  data: Pick<DataInfo, 'source' | 'train' | 'test'> & { kind?: DataInfo['kind']; description?: string } | null;
  config: RunRequest['config'] | null;
  runs: RunRecord[];
  /** Per initializer over its seeds (one entry per initializer even with one seed). */
  summary?: SeedSummary[];
}

export function newDocument(requests: readonly RunRequest[]): ResultsDocument {
  return {
    tool: 'initlens',
    version: 1,
    createdAt: new Date().toISOString(),
    backend: null,
    data: null,
    config: requests[0]?.config ?? null,
    runs: requests.map((r) => ({
      runId: r.runId,
      initializer: r.label,
      spec: null,
      activation: r.config.activation,
      hidden: r.config.hidden,
      seed: r.config.seed,
      status: 'queued',
      layers: [],
      steps: [],
      flags: [],
    })),
  };
}

/** Applies one event in place; returns the run it touched (undefined for unknown runs). */
export function applyEvent(doc: ResultsDocument, event: ProbeEvent): RunRecord | undefined {
  const run = doc.runs.find((r) => r.runId === event.runId);
  if (!run) return undefined;
  switch (event.type) {
    case 'started':
      run.status = 'running';
      run.backend = event.backend;
      run.backendReason = event.backendReason;
      run.layers = event.layers;
      if (event.network) run.network = event.network;
      run.spec = event.layers[0]?.spec ?? null;
      run.inputSecondMoment = event.inputSecondMoment;
      if (event.model) run.model = event.model;
      if (event.runtime) run.runtime = event.runtime;
      doc.backend ??= event.backend;
      doc.data ??= { ...event.data };
      break;
    case 'step':
      run.steps.push(event.metrics);
      break;
    case 'flag':
      run.flags.push(event.flag);
      break;
    case 'finished':
      run.status = 'finished';
      run.final = event.final;
      run.timing = event.timing;
      run.tensorLeak = event.numTensorsAfter - event.numTensorsBefore;
      break;
    case 'failed':
      run.status = 'failed';
      run.error = event.reason;
      if (event.network && !run.network) run.network = event.network;
      break;
  }
  return run;
}

export function markCancelled(doc: ResultsDocument): void {
  for (const run of doc.runs) if (!isRunDone(run.status)) run.status = 'cancelled';
}
