/**
 * How a run reads in the panel's table, its flag cards and the report: shared by the webview
 * bundle and the host. Numbers go through src/view/number.ts, the format the CLI, hovers and
 * diagnostics use too. Formatting only: every number comes from the results document.
 */
import type { Flag, RunStatus } from '../protocol';
import { formatNumber, formatPercent } from './number';

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

export { formatNumber, formatPercent } from './number';

export function layerName(run: Pick<SummaryRun, 'layers'>, layer: number): string {
  return layer === 0 ? 'whole network' : (run.layers[layer - 1]?.name ?? `layer ${layer}`);
}

/**
 * Which held-out images an accuracy is measured on: during training the probe evaluates the
 * first `validationSubset` of them (config.validationSubset), at the end all of them. Said
 * wherever an accuracy is shown, so the chart's and the table's numbers are not confused.
 */
export interface AccuracyScope {
  /** "first 500 of 2,000 held-out digits": the chart's values during training. */
  subset: string;
  /** "all 2,000 held-out digits": the final value in the table. */
  all: string;
  /** "first 500": the short form beside a running value. */
  subsetShort: string;
}

export function accuracyScope(
  config: { validationSubset: number } | null | undefined,
  data: { test: number; kind?: string; description?: string; source?: string } | null | undefined,
): AccuracyScope {
  // watch() on the user's own training: InitLens holds no held-out set there.
  if (data?.kind === 'user') return { subset: 'not measured in your training', all: 'not measured in your training', subsetShort: 'not measured' };
  const what = data && /fashion/i.test(`${data.kind ?? ''} ${data.description ?? ''} ${data.source ?? ''}`) ? 'images' : 'digits';
  const n = (x: number): string => x.toLocaleString('en-US');
  const test = data?.test;
  const subset = config ? (test !== undefined ? Math.min(config.validationSubset, test) : config.validationSubset) : undefined;
  return {
    subset: subset === undefined ? `held-out ${what} during training` : test !== undefined ? `first ${n(subset)} of ${n(test)} held-out ${what}` : `first ${n(subset)} held-out ${what}`,
    all: test !== undefined ? `all ${n(test)} held-out ${what}` : `all held-out ${what}`,
    subsetShort: subset === undefined ? 'subset' : `first ${n(subset)}`,
  };
}

/** The summary's column heading: which held-out images the final accuracy is on. */
export function accuracyHeading(scope?: AccuracyScope): string {
  return scope ? `Held-out accuracy (${scope.all})` : 'Held-out accuracy';
}

/** Held-out accuracy: the final one (all held-out images) or, before that, the latest subset value, marked as such. */
export function accuracyText(run: SummaryRun, scope?: AccuracyScope): string {
  if (run.final) return formatPercent(run.final.validationAccuracy);
  const last = run.steps.at(-1);
  return last && last.validationAccuracy !== null ? `${formatPercent(last.validationAccuracy)} (step ${last.step}${scope ? `, ${scope.subsetShort}` : ''})` : '—';
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

/** Flags in network order (the whole network first, then layer by layer), then by step. */
export function inLayerOrder<F extends Pick<Flag, 'layer' | 'step'>>(flags: readonly F[]): F[] {
  return [...flags].sort((a, b) => a.layer - b.layer || a.step - b.step);
}

/**
 * One label per flag kind, with the layers it was raised on in network order: "symmetric
 * (dense_1)", "vanishing (dense_1, dense_6)", "dead (dense_1 … dense_10, 10 layers)". A
 * ten-layer Zeros run reads as three badges, not twenty-one.
 */
export function flagLabels(run: Pick<SummaryRun, 'flags' | 'layers'>): string[] {
  // Kinds in the order they were raised; each kind's layers in network order.
  const byKind = new Map<string, number[]>();
  for (const flag of run.flags) byKind.set(flag.kind, [...(byKind.get(flag.kind) ?? []), flag.layer]);
  return [...byKind].map(([kind, numbers]) => {
    const layers = [...new Set([...numbers].sort((a, b) => a - b).map((n) => layerName(run, n)))];
    return (
      layers.length <= 2 ? `${kind} (${layers.join(', ')})` : `${kind} (${layers[0]} … ${layers[layers.length - 1]}, ${layers.length} layers)`
    );
  });
}

/** Words for the diagnosis' numbers; a name not listed here is spelled out from its camelCase. */
const VALUE_WORDS: Record<string, string> = {
  ratio: 'measured ratio',
  predictedRatio: 'predicted ratio',
  measuredGainPerLayer: 'measured gain per layer',
  predictedGainPerLayer: 'predicted gain per layer',
  distinctUnits: 'distinct units',
  units: 'units',
  deadFraction: 'units never active',
  saturatedFraction: 'outputs saturated',
  preActivationVariance: 'pre-activation variance',
  gradNorm: 'gradient norm',
  gradNormStep0: 'gradient norm at step 0',
  firstLayerGradNorm: "first layer's gradient norm",
  lastLayerGradNorm: "last hidden layer's gradient norm",
};

/** `measuredGainPerLayer` → "measured gain per layer", `gradNormStep0` → "grad norm step 0". */
export function valueWords(key: string): string {
  return (
    VALUE_WORDS[key] ??
    key
      .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
      .replace(/([0-9])([A-Za-z])/g, '$1 $2')
      .toLowerCase()
  );
}

/** A value as a person reads it: fractions as percentages, underflow as "≈ 0". */
function valueText(key: string, v: number): string {
  if (/Fraction$/.test(key)) return formatPercent(v);
  // The diagnosis floors vanished quantities at tiny numbers (1e-30) to take roots: that is zero.
  if (v !== 0 && Math.abs(v) < 1e-20) return '≈ 0';
  return formatNumber(v);
}

/** The flag's numbers in words: "measured gain per layer ≈ 0 · predicted gain per layer 0.5". */
export function flagValuesText(flag: Flag): string {
  return Object.entries(flag.values ?? {})
    .filter(([, v]) => Number.isFinite(v))
    .map(([k, v]) => `${valueWords(k)} ${valueText(k, v)}`)
    .join(' · ');
}

/** An interval of a mean over seeds, as the seed summary gives it (src/probe/seedSummary.ts). */
export interface MeanInterval {
  mean: number | null;
  low: number | null;
  high: number | null;
}

/** "92.4% [91.8%, 93.0%]": the mean and its 95% interval; the mean alone when there is no spread to estimate. */
export function intervalText(i: MeanInterval, format: (x: number | null) => string = formatNumber): string {
  if (i.mean === null) return '—';
  return i.low === null || i.high === null ? format(i.mean) : `${format(i.mean)} [${format(i.low)}, ${format(i.high)}]`;
}

/** What the band around a mean line is, said wherever one is drawn. */
export function seedBandCaption(seeds: number): string {
  return `mean ± 95% CI (Student t) over ${seeds} seeds`;
}

/** "dead 1/3, symmetric 3/3": each flag kind and in how many of the seeds it fired (its worst layer). */
export function seedFlagsText(summary: { seeds: number; flags: readonly { kind: string; seeds: number }[] }): string {
  const kinds = new Map<string, number>();
  for (const f of summary.flags) kinds.set(f.kind, Math.max(kinds.get(f.kind) ?? 0, f.seeds));
  return kinds.size ? [...kinds].map(([k, n]) => `${k} ${n}/${summary.seeds}`).join(', ') : 'none';
}
