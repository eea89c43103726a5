/**
 * How a run reads in the panel's table, the report and the CSV-adjacent texts: one set of
 * formatters, shared by the webview bundle and the host, so the panel and the report never
 * disagree. Formatting only: every number comes from the results document.
 */
import type { Flag, RunStatus } from '../protocol';

/** The fields of a run the summary needs; both RunRecord and the webview's PanelRun have them. */
export interface SummaryRun {
  initializer: string;
  status: RunStatus;
  error?: string;
  backend?: string;
  layers: readonly { name: string }[];
  steps: readonly { step: number; loss: number | null; validationAccuracy: number | null }[];
  flags: readonly Flag[];
  final?: { validationAccuracy: number | null; loss: number | null; steps: number };
  timing?: { samplesPerSecond: number };
  stepsPlanned?: number;
}

export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(2).replace(/e\+?/, 'e');
  return String(Number(x.toPrecision(3)));
}

export function formatPercent(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(1)}%`;
}

export function layerName(run: Pick<SummaryRun, 'layers'>, layer: number): string {
  return layer === 0 ? 'whole network' : (run.layers[layer - 1]?.name ?? `layer ${layer}`);
}

/** Held-out accuracy: the final one (all held-out images) or, before that, the latest subset value. */
export function accuracyText(run: SummaryRun): string {
  if (run.final) return formatPercent(run.final.validationAccuracy);
  const last = run.steps.at(-1);
  return last ? `${formatPercent(last.validationAccuracy)} (step ${last.step})` : '—';
}

export function lossText(run: SummaryRun): string {
  return formatNumber(run.final?.loss ?? run.steps.at(-1)?.loss ?? null);
}

export function samplesPerSecondText(run: SummaryRun): string {
  return run.timing ? run.timing.samplesPerSecond.toFixed(0) : '—';
}

export function statusText(run: SummaryRun): string {
  const last = run.steps.at(-1)?.step;
  switch (run.status) {
    case 'queued':
      return 'queued';
    case 'running':
      return last === undefined ? 'starting' : `step ${last}${run.stepsPlanned ? ` of ${run.stepsPlanned}` : ''}`;
    case 'finished':
      return run.final && run.stepsPlanned && run.final.steps < run.stepsPlanned ? `stopped at step ${run.final.steps}` : 'finished';
    case 'failed':
      return `failed: ${run.error ?? 'unknown reason'}`;
    case 'cancelled':
      return last === undefined ? 'cancelled' : `cancelled at step ${last}`;
  }
}

/**
 * One label per flag kind, with the layers it was raised on: "symmetric (dense_1)",
 * "vanishing (dense_3, dense_1)", "dead (dense_1 … dense_10, 10 layers)". A ten-layer Zeros
 * run reads as three badges, not twenty-one.
 */
export function flagLabels(run: Pick<SummaryRun, 'flags' | 'layers'>): string[] {
  const byKind = new Map<string, string[]>();
  for (const flag of run.flags) {
    const layers = byKind.get(flag.kind) ?? [];
    const name = layerName(run, flag.layer);
    if (!layers.includes(name)) layers.push(name);
    byKind.set(flag.kind, layers);
  }
  return [...byKind].map(([kind, layers]) =>
    layers.length <= 2 ? `${kind} (${layers.join(', ')})` : `${kind} (${layers[0]} … ${layers[layers.length - 1]}, ${layers.length} layers)`,
  );
}

/** The flag's numbers as "ratio 0 · predictedRatio 0", for the evidence line. */
export function flagValuesText(flag: Flag): string {
  const entries = Object.entries(flag.values ?? {});
  return entries.map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · ');
}
