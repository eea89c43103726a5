/**
 * The 95% Student-t interval of a mean over a few seeds: the engine's seed summary (final
 * accuracy and loss) and the panel's bands (per-layer statistics, curves over steps) use the same
 * numbers. A leaf: imports nothing, so the engine and the webview can both take it.
 */

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


/**
 * Whether runs are several seeds of their initializers: some initializer ran with two or more
 * different seeds. The same initializer twice with one seed (a comparison queued behind an
 * identical one) is two comparisons, not seeds.
 */
export function hasSeveralSeeds(runs: readonly { initializer: string; seed?: number | null }[]): boolean {
  const seeds = new Map<string, Set<number | null | undefined>>();
  for (const run of runs) {
    const set = seeds.get(run.initializer) ?? new Set();
    set.add(run.seed);
    seeds.set(run.initializer, set);
    if (set.size > 1) return true;
  }
  return false;
}

/** Runs grouped by initializer (one group per seed set), in the order each initializer first appears. */
export function groupByInitializer<R extends { initializer: string }>(runs: readonly R[]): [string, R[]][] {
  const groups = new Map<string, R[]>();
  for (const run of runs) {
    const group = groups.get(run.initializer) ?? [];
    group.push(run);
    groups.set(run.initializer, group);
  }
  return [...groups.entries()];
}
