/**
 * Several seeds per initializer (initlens.seeds): the runs of one initializer as one group, and
 * each chart's series as the group's mean with a 95% Student-t band (src/view/intervals.ts, the
 * interval the engine's seed summary uses for the final accuracy and loss). Pure (no DOM) and
 * unit-tested; a reduction of what the probes measured, never a new measurement.
 */
import type { PanelRun } from '../../src/protocol/panel';
import { groupByInitializer, meanInterval } from '../../src/view/intervals';

export interface SeedGroup {
  initializer: string;
  runs: PanelRun[];
}

/** Runs grouped by initializer, in the order each initializer first appears. */
export function seedGroups(runs: readonly PanelRun[]): SeedGroup[] {
  return groupByInitializer(runs).map(([initializer, members]) => ({ initializer, runs: members }));
}

/** The most runs any initializer has: above 1, the panel draws means with bands. */
export function seedsPerInitializer(groups: readonly SeedGroup[]): number {
  return groups.reduce((n, g) => Math.max(n, g.runs.length), 0);
}

export interface Band {
  /** Mean over the seeds that have a value at this position; null where none has. */
  mean: (number | null)[];
  /** The 95% interval's ends; null where fewer than two seeds have a value. */
  low: (number | null)[];
  high: (number | null)[];
  /** Seeds with a finite value at each position. */
  count: number[];
}

/** Position by position over several seeds' series (aligned on one x axis): mean and 95% interval. */
export function bandOf(series: readonly (readonly (number | null)[])[]): Band {
  const length = series.reduce((n, s) => Math.max(n, s.length), 0);
  const band: Band = { mean: [], low: [], high: [], count: [] };
  for (let i = 0; i < length; i++) {
    const values = series.map((s) => s[i]).filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
    const interval = meanInterval(values);
    band.mean.push(interval.mean);
    band.low.push(interval.low);
    band.high.push(interval.high);
    band.count.push(values.length);
  }
  return band;
}

/** Positions where a band has width (low < high): what a person sees shaded. */
export function bandPoints(bands: readonly Band[]): number {
  let n = 0;
  for (const band of bands) for (let i = 0; i < band.mean.length; i++) if (band.low[i] !== null && band.high[i] !== null && (band.low[i] as number) < (band.high[i] as number)) n += 1;
  return n;
}

/** Runs of consecutive x positions where a band has both ends: each is drawn as one shape. */
export function bandRuns(low: readonly (number | null)[], high: readonly (number | null)[]): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < Math.min(low.length, high.length); i++) {
    if (low[i] !== null && high[i] !== null) current.push(i);
    else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
