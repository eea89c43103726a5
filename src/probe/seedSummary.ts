/**
 * Several seeds per initializer: the mean and a 95% Student-t interval of held-out accuracy and
 * loss, and in how many seeds each flag fired. Pure: a function of the finished run records.
 */
import type { RunRecord, SeedSummary } from '../protocol';

/**
 * t_{0.975, df} for df = 1…30 (the two-sided 95% Student-t quantile; tested against a numeric
 * integral of the t density in seedSummary.test.ts).
 */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** The 97.5% quantile of Student's t with df degrees of freedom (Cornish–Fisher beyond 30). */
export function studentT975(df: number): number {
  if (!(df >= 1)) return NaN;
  if (df <= 30) return T975[Math.round(df) - 1];
  const z = 1.959963984540054;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface Interval {
  mean: number | null;
  /** Null with fewer than two values (no spread to estimate). */
  low: number | null;
  high: number | null;
}

/** Mean ± t·s/√n over the finite values. */
export function meanInterval(values: readonly (number | null | undefined)[]): Interval {
  const xs = values.filter((x): x is number => x !== null && x !== undefined && Number.isFinite(x));
  const n = xs.length;
  if (n === 0) return { mean: null, low: null, high: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: null, high: null };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (studentT975(n - 1) * sd) / Math.sqrt(n);
  return { mean, low: mean - half, high: mean + half };
}

/** One entry per initializer, in the order the runs were asked for; runs grouped by `initializer`. */
export function summarizeSeeds(runs: readonly RunRecord[]): SeedSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const group = groups.get(run.initializer) ?? [];
    group.push(run);
    groups.set(run.initializer, group);
  }
  return [...groups.entries()].map(([initializer, group]) => {
    const finished = group.filter((r) => r.status === 'finished');
    const flagSeeds = new Map<string, { kind: RunRecord['flags'][number]['kind']; layer: number; seeds: number }>();
    for (const run of group) {
      const seen = new Set<string>();
      for (const flag of run.flags) {
        const key = `${flag.kind}:${flag.layer}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const entry = flagSeeds.get(key) ?? { kind: flag.kind, layer: flag.layer, seeds: 0 };
        entry.seeds += 1;
        flagSeeds.set(key, entry);
      }
    }
    return {
      initializer,
      seeds: group.length,
      finished: finished.length,
      seedValues: group.map((r) => r.seed ?? null),
      validationAccuracy: meanInterval(finished.map((r) => r.final?.validationAccuracy)),
      loss: meanInterval(finished.map((r) => r.final?.loss)),
      flags: [...flagSeeds.values()].sort((a, b) => a.layer - b.layer || a.kind.localeCompare(b.kind)),
    };
  });
}
