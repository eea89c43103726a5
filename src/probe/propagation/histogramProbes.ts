/**
 * The short probes that record per-layer activation histograms over training when no Compare
 * run has them: the Signal Propagation view and `initlens propagate histograms` start the same
 * ones, so the view and the command line show the same figures.
 */
import { DEFAULT_CONFIG } from '../config';
import type { RunRequest } from '../../protocol';
import type { Activation } from '../initializers/spec';

export interface HistogramProbeOptions {
  activation: Activation;
  initializers: readonly string[];
  /** Hidden layers, each `width` units. */
  depth: number;
  width: number;
  steps: number;
  /** A histogram every `every` steps (and at step 0). */
  every: number;
  seed: number;
  data: string;
}

export const HISTOGRAM_PROBE_DEFAULTS = { depth: 3, width: 128, steps: 100, every: 5 } as const;

export function histogramProbeRequests(o: HistogramProbeOptions): RunRequest[] {
  return o.initializers.map((initializer, i) => ({
    runId: `histograms${i + 1}`,
    label: initializer,
    initializer,
    config: { ...DEFAULT_CONFIG, hidden: Array.from({ length: o.depth }, () => o.width), activation: o.activation, steps: o.steps, every: o.every, seed: o.seed, data: o.data },
  }));
}

/** "short probes of these initializers (relu, 128×3, 100 steps of 32-image batches, …)". */
export function histogramProbeSource(o: HistogramProbeOptions): string {
  return `short probes of these initializers (${o.activation}, ${o.width}×${o.depth}, ${o.steps} steps of ${DEFAULT_CONFIG.batch}-image batches, ${DEFAULT_CONFIG.optimizer} lr ${DEFAULT_CONFIG.lr}; histograms of ${DEFAULT_CONFIG.probeBatch} probe images every ${o.every} steps)`;
}
