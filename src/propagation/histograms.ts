/** A results document's per-layer histograms, regrouped by run and layer for the view and the CLI. Pure. */
import type { RunRecord } from '../protocol';
import type { HistogramRunsJson } from '../protocol/propagation';

export function histogramRuns(doc: { runs: readonly RunRecord[] } | undefined): HistogramRunsJson {
  if (!doc) return [];
  return doc.runs
    .map((run) => ({
      initializer: run.initializer,
      layers: run.layers
        .map((layer, i) => {
          const steps = run.steps.filter((s) => s.layers[i]?.histogram);
          const first = steps[0]?.layers[i].histogram;
          if (!first) return undefined;
          return {
            name: layer.name,
            lo: first.lo,
            hi: first.hi,
            steps: steps.map((s) => s.step),
            counts: steps.map((s) => s.layers[i].histogram!.counts),
            nearZero: steps.map((s) => s.layers[i].histogram!.nearZero),
          };
        })
        .filter((l): l is NonNullable<typeof l> => l !== undefined),
    }))
    .filter((r) => r.layers.length > 0);
}
