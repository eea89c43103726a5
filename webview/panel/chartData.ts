/**
 * The charts' numbers, shaped from the runs as the probes measured them: per-layer values at a
 * step, the theory line, metrics over steps aligned on one x axis, and the heatmap grid. Pure
 * (no DOM, no uPlot) and unit-tested; nothing here computes a statistic the engine measured.
 */
import type { PanelRun } from '../../src/protocol/panel';
import type { LayerStepStats, StepMetrics } from '../../src/protocol';
import { decadeSplits } from '../shared/decades';

export type LayerMetric = 'activationVariance' | 'activationSecondMoment' | 'gradNorm';
export type StepMetric = 'loss' | 'validationAccuracy';

/** Every recorded step of any run, ascending: the step slider's positions. */
export function recordedSteps(runs: readonly PanelRun[]): number[] {
  const steps = new Set<number>();
  for (const run of runs) for (const s of run.steps) steps.add(s.step);
  return [...steps].sort((a, b) => a - b);
}

/** The run's record at `step`, or its latest one before it (runs record on their own clocks). */
export function recordAt(run: PanelRun, step: number): StepMetrics | undefined {
  let lo = 0;
  let hi = run.steps.length - 1;
  let found: StepMetrics | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (run.steps[mid].step <= step) {
      found = run.steps[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export function layerCount(runs: readonly PanelRun[]): number {
  let n = 0;
  for (const run of runs) n = Math.max(n, run.layers.length, run.steps[0]?.layers.length ?? 0);
  return n;
}

/** Per-layer values of one run at a step; null where the run has no such layer or value. */
export function layerValues(run: PanelRun, step: number, metric: LayerMetric, layers: number): (number | null)[] {
  const record = recordAt(run, step);
  return Array.from({ length: layers }, (_, i) => {
    const stats: LayerStepStats | undefined = record?.layers[i];
    return stats ? stats[metric] : null;
  });
}

/**
 * The predicted second moment E[a²] along the network, starting at the input: position 0 is the
 * input's measured E[x²], position i the prediction after hidden layer i, i.e. E[x²] times the
 * product of the layers' predicted gains so far (what the diagnosis compares against). The
 * output layer has no predicted gain: null there. Null throughout without the run's start data.
 */
export function theoryLine(run: Pick<PanelRun, 'inputSecondMoment' | 'layers'>, layers: number): (number | null)[] {
  const out: (number | null)[] = Array.from({ length: layers + 1 }, () => null);
  const q0 = run.inputSecondMoment;
  if (q0 === undefined || !(q0 > 0)) return out;
  out[0] = q0;
  let q = q0;
  for (let i = 0; i < Math.min(layers, run.layers.length); i++) {
    const gain = run.layers[i].predictedGain;
    if (gain === null || run.layers[i].isOutput) break;
    q *= gain;
    out[i + 1] = q;
  }
  return out;
}

/**
 * Log scales cannot show 0: values ≤ 0 are drawn at a floor a decade below the smallest positive
 * value on the chart (the legend and tooltip still say 0). Null stays a gap.
 */
export function logFloor(series: readonly (readonly (number | null)[])[]): number {
  let min = Infinity;
  for (const values of series) for (const v of values) if (v !== null && v > 0 && v < min) min = v;
  return Number.isFinite(min) ? min / 10 : 1e-6;
}

export function clampForLog(values: readonly (number | null)[], floor: number): (number | null)[] {
  return values.map((v) => (v === null || !Number.isFinite(v) ? null : v > floor ? v : floor));
}

/** One x axis (the union of recorded steps) with each run's values on it, gaps as null. */
export function overSteps(runs: readonly PanelRun[], metric: StepMetric): { x: number[]; ys: (number | null)[][] } {
  const x = recordedSteps(runs);
  const index = new Map(x.map((s, i) => [s, i]));
  const ys = runs.map((run) => {
    const y: (number | null)[] = Array.from({ length: x.length }, () => null);
    for (const record of run.steps) y[index.get(record.step)!] = record[metric];
    return y;
  });
  return { x, ys };
}

export interface HeatmapGrid {
  steps: number[];
  layerNames: string[];
  /** values[layer][stepIndex] */
  values: (number | null)[][];
  min: number;
  max: number;
}

/** Activation variance of one run, layer × recorded step, with the range of its positive values. */
export function heatmapGrid(run: PanelRun): HeatmapGrid {
  const layers = Math.max(run.layers.length, run.steps[0]?.layers.length ?? 0);
  const steps = run.steps.map((s) => s.step);
  const values = Array.from({ length: layers }, (_, l) => run.steps.map((s) => s.layers[l]?.activationVariance ?? null));
  let min = Infinity;
  let max = -Infinity;
  for (const row of values) {
    for (const v of row) {
      if (v !== null && v > 0) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
  }
  const layerNames = Array.from({ length: layers }, (_, l) => run.layers[l]?.name ?? `layer ${l + 1}`);
  return { steps, layerNames, values, min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0 };
}

/** 0…1 position of a value on the grid's log colour scale; null for gaps, 0 for values ≤ 0. */
export function heatPosition(value: number | null, min: number, max: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (value <= 0 || !(min > 0)) return 0;
  if (max <= min) return 1;
  const t = (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
  return Math.min(1, Math.max(0, t));
}

/** Non-null points a chart would draw, for the webview's rendered-state report. */
export function countPoints(series: readonly (readonly (number | null)[])[]): number {
  let n = 0;
  for (const values of series) for (const v of values) if (v !== null) n += 1;
  return n;
}

/**
 * Home colour slot (index into the theme's eight series colours) per catalog initializer, so
 * an initializer keeps its colour across comparisons and entry points; names are compared
 * without case or underscores (`glorot_normal` and `GlorotNormal` are one).
 */
const HOME_SLOTS: Record<string, number> = {
  glorotnormal: 0,
  glorotuniform: 0,
  randomnormal: 1,
  truncatednormal: 1,
  henormal: 2,
  heuniform: 2,
  lecunnormal: 3,
  lecununiform: 3,
  zeros: 4,
  ones: 5,
  constant: 5,
  randomuniform: 5,
  orthogonal: 6,
  variancescaling: 6,
  lsuv: 7,
  identity: 7,
};

function homeSlot(name: string, slots: number): number {
  const key = name.toLowerCase().replace(/[_\s]/g, '');
  const home = HOME_SLOTS[key];
  if (home !== undefined) return home % slots;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % slots;
}

/**
 * One colour slot per run: each initializer's home slot unless an earlier run of the same
 * comparison holds it (then the next free one); the same name always gets the same slot.
 */
export function seriesSlots(names: readonly string[], slots: number): number[] {
  const byName = new Map<string, number>();
  const taken = new Set<number>();
  return names.map((name) => {
    const known = byName.get(name);
    if (known !== undefined) return known;
    const home = homeSlot(name, slots);
    let slot = home;
    for (let k = 0; k < slots && taken.has(slot); k++) slot = (home + k + 1) % slots;
    if (taken.has(slot)) slot = home;
    taken.add(slot);
    byName.set(name, slot);
    return slot;
  });
}

/**
 * Log-axis gridlines: powers of ten that are real values, never the floor where zeros are drawn
 * (a "0" label there would read as one more decade). With zeros on the chart, the lowest
 * gridline sits at least half a decade above the floor, leaving room for the zero band.
 */
export function logAxisSplits(min: number, max: number, slots: number, zeroAt: number | undefined): number[] {
  if (zeroAt === undefined) return decadeSplits(min, max, slots);
  const lo = Math.max(min, zeroBandTop(zeroAt));
  return decadeSplits(lo, max, Math.max(1, slots - 1)).filter((d) => d > zeroBandTop(zeroAt));
}

/** The top of the band where values of 0 are drawn (the floor sits in its middle, on a log scale). */
export function zeroBandTop(zeroAt: number): number {
  return zeroAt * Math.sqrt(10);
}

/** The bottom of the y range when zeros are drawn: as far below the floor as the band's top is above it. */
export function zeroBandBottom(zeroAt: number): number {
  return zeroAt / Math.sqrt(10);
}

/**
 * Layer names on the x axis: upright and centred while they fit, else slanted so that each
 * label ENDS at its tick (uPlot right-aligns labels rotated by a positive angle), so the last
 * layer's name never runs past the chart's right edge. `size` is the axis height the slanted
 * labels need; `padRight` the room a centred last label needs beyond the last category.
 */
export function xAxisLayout(names: readonly string[], charPx = 6.6, widthPx?: number): { rotate: number; size: number; padRight: number } {
  const longest = Math.max(0, ...names.map((n) => n.length)) * charPx;
  // Upright while each label fits its category's share of the width (PyTorch's
  // "layers.0 (Linear)" in a half-width chart does not); slanted beyond eight layers anyway.
  const fits = widthPx === undefined || names.length === 0 || longest + 8 <= widthPx / names.length;
  if (names.length <= 8 && fits) return { rotate: 0, size: 40, padRight: Math.ceil(((names.at(-1)?.length ?? 0) * charPx) / 2) };
  const rotate = 30;
  return { rotate, size: Math.ceil(longest * Math.sin((rotate * Math.PI) / 180)) + 30, padRight: 8 };
}
