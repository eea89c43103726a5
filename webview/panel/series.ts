/**
 * The Compare panel's chart series, built from the runs as the engine measured them (no DOM):
 * one line per initializer — with several seeds the mean over them with its 95% band, else the
 * run itself — per layer at the chosen step (activations, with the mean-field prediction dashed;
 * gradient norms) and over steps (loss, held-out accuracy).
 */
import type { PanelRun } from '../../src/protocol/panel';
import type { AccuracyScope } from '../../src/view/format';
import { seedBandCaption } from '../../src/view/format';
import { hasSeveralSeeds } from '../../src/view/intervals';
import { clampForLog, countPoints, layerCount, layerValues, logFloor, overSteps, theoryLine } from './chartData';
import type { ChartSpec, LineSpec } from './lineChart';
import { bandOf, bandPoints, seedGroups, seedsPerInitializer } from './seedBands';
import type { Band, SeedGroup } from './seedBands';
import type { LayerMeasure } from './state';

export interface PanelSeries {
  activation: ChartSpec;
  /** The activation chart's y axis: which quantity is measured. */
  activationYLabel: string;
  grad: ChartSpec;
  loss: ChartSpec;
  accuracy: ChartSpec;
  /** Seeds per initializer (1 when each ran once). */
  seeds: number;
  /** Several seeds: what each line and band is, for above the charts; '' otherwise. */
  seedNote: string;
  /** x positions with a drawn interval band (low < high) over all charts. */
  bandPoints: number;
  /** Data points over every series of the four line charts. */
  points: number;
}

export interface SeriesInput {
  runs: readonly PanelRun[];
  /** The recorded step the per-layer charts show. */
  step: number;
  measure: LayerMeasure;
  colorOf: (runId: string) => string;
  /** The theme's muted colour, for the legend's explanatory entries. */
  muted: string;
  scope: AccuracyScope;
}

export function chartSeries({ runs, step, measure, colorOf, muted, scope }: SeriesInput): PanelSeries {
  const layers = layerCount(runs);
  const x = Array.from({ length: layers }, (_, i) => i + 1);
  const namesFrom = runs.find((r) => r.layers.length === layers) ?? runs[0];
  const xNames = x.map((i) => namesFrom?.layers[i - 1]?.name ?? `layer ${i}`);
  const withData = runs.filter((r) => r.steps.length > 0);
  // One line per initializer: with several seeds the mean over them with its 95% band, else the run itself.
  const groups = hasSeveralSeeds(withData) ? seedGroups(withData) : withData.map((r) => ({ initializer: r.initializer, runs: [r] }));
  const seeds = seedsPerInitializer(groups);
  const bands: Band[] = [];
  const lineOf = (group: SeedGroup, series: readonly (readonly (number | null)[])[], floor?: number): LineSpec => {
    const color = colorOf(group.runs[0].runId);
    const band = bandOf(series);
    const clamp = (values: (number | null)[]): (number | null)[] => (floor === undefined ? values : clampForLog(values, floor));
    if (group.runs.length < 2) return { label: group.initializer, color, values: clamp(band.mean), raw: band.mean };
    bands.push(band);
    return { label: group.initializer, color, values: clamp(band.mean), raw: band.mean, band: { low: clamp(band.low), high: clamp(band.high), rawLow: band.low, rawHigh: band.high } };
  };
  const seedLegend = seeds > 1 ? [{ label: `shaded: ${seedBandCaption(seeds)}`, color: muted }] : [];
  // Log charts cannot draw a negative end: an interval reaching ≤ 0 (wide with few seeds) runs into the "= 0" band.
  const seedLegendLog = seeds > 1 ? [{ label: `shaded: ${seedBandCaption(seeds)}; an interval reaching ≤ 0 runs into “= 0”`, color: muted }] : [];

  // Activations from the input on: measured (solid) and, per initializer, the predicted E[a²]
  // (dashed, same colour). Position 0 is the input; only E[x²] is known there.
  const measured = groups.map((g) => ({
    group: g,
    series: g.runs.map((r) => [measure === 'activationSecondMoment' ? (r.inputSecondMoment ?? null) : null, ...layerValues(r, step, measure, layers)]),
  }));
  const theory = groups.map((g) => theoryLine(g.runs[0], layers));
  const floorA = logFloor([...measured.flatMap((m) => m.series), ...theory]);
  const actLines: LineSpec[] = [];
  measured.forEach((m, k) => {
    const line = lineOf(m.group, m.series, floorA);
    actLines.push(line);
    if (theory[k].some((v) => v !== null)) actLines.push({ label: `${m.group.initializer} (predicted E[a²])`, color: line.color, values: clampForLog(theory[k], floorA), raw: theory[k], dashed: true, hideInLegend: true });
  });
  const activation: ChartSpec = {
    x: [0, ...x],
    xNames: ['input', ...xNames],
    lines: actLines,
    zeroAt: floorA,
    legendExtra: [...(theory.some((t) => t.some((v) => v !== null)) ? [{ label: 'predicted E[a²] = E[x²] × Π gain (theory)', color: muted, dashed: true }] : []), ...seedLegendLog],
  };

  const grads = groups.map((g) => g.runs.map((r) => layerValues(r, step, 'gradNorm', layers)));
  const floorG = logFloor(grads.flat());
  const grad: ChartSpec = { x, xNames, zeroAt: floorG, lines: groups.map((g, k) => lineOf(g, grads[k], floorG)), legendExtra: seedLegendLog };

  // Over steps: every run on one x axis (the union of recorded steps), then grouped.
  const byGroup = (ys: (number | null)[][]): (number | null)[][][] => {
    let at = 0;
    return groups.map((g) => ys.slice(at, (at += g.runs.length)));
  };
  const ordered = groups.flatMap((g) => g.runs);
  const lossData = overSteps(ordered, 'loss');
  const lossGroups = byGroup(lossData.ys);
  const loss: ChartSpec = { x: lossData.x, lines: groups.map((g, k) => lineOf(g, lossGroups[k])), legendExtra: seedLegend };
  const accData = overSteps(ordered, 'validationAccuracy');
  const accGroups = byGroup(accData.ys);
  const accuracy: ChartSpec = { x: accData.x, valueNote: scope.subset, lines: groups.map((g, k) => lineOf(g, accGroups[k])), legendExtra: seedLegend };

  return {
    activation,
    activationYLabel: `measured ${measure === 'activationVariance' ? 'Var[a]' : 'E[a²]'} (log)`,
    grad,
    loss,
    accuracy,
    seeds,
    seedNote: seeds > 1 ? `Each line is one initializer: the ${seedBandCaption(seeds)}; the shaded band is that interval (seeds ${seedRange(groups)}).` : '',
    bandPoints: bandPoints(bands),
    points: countPoints([...measured.flatMap((m) => m.series), ...grads.flat(), ...lossData.ys, ...accData.ys]),
  };
}

/** "42–44": the seeds the groups ran with. */
function seedRange(groups: readonly SeedGroup[]): string {
  const seeds = [...new Set(groups.flatMap((g) => g.runs.map((r) => r.seed)).filter((s): s is number => s !== undefined))].sort((a, b) => a - b);
  if (seeds.length === 0) return '?';
  return seeds.length === 1 ? String(seeds[0]) : `${seeds[0]}–${seeds[seeds.length - 1]}`;
}
