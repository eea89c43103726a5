/**
 * Several seeds per initializer: the mean and a 95% Student-t interval of held-out accuracy and
 * loss, and in how many seeds each flag fired. Pure: a function of the finished run records.
 */
import type { RunRecord, SeedSummary } from '../protocol';
import { groupByInitializer, meanInterval } from '../view/intervals';

export { meanInterval, studentT975 } from '../view/intervals';
export type { Interval } from '../view/intervals';

/** One entry per initializer, in the order the runs were asked for; runs grouped by `initializer`. */
export function summarizeSeeds(runs: readonly RunRecord[]): SeedSummary[] {
  return groupByInitializer(runs).map(([initializer, group]) => {
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
