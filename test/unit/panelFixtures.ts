/**
 * Results documents for the panel's unit tests, built the way the session builds them: run
 * requests → newDocument → applyEvent with probe events. `probedDocument` gets its events from
 * real probes (bundled MNIST, wasm); `syntheticDocument` writes a few events by hand for exact
 * expectations.
 */
import { DEFAULT_CONFIG } from '../../src/probe/config';
import type { Flag, LayerInfo, LayerStepStats, ProbeEvent, RunRequest, StepMetrics } from '../../src/protocol';
import { applyEvent, newDocument } from '../../src/results';
import type { ResultsDocument } from '../../src/results';
import { probe, request } from './helpers';

export function requests(labels: string[], steps = 20): RunRequest[] {
  return labels.map((label, i) => ({ runId: `run${i + 1}`, label, initializer: label, config: { ...DEFAULT_CONFIG, data: 'mnist', steps, every: 10 } }));
}

export async function probedDocument(labels: string[], steps = 20): Promise<ResultsDocument> {
  const reqs = requests(labels, steps);
  const doc = newDocument(reqs);
  for (const r of reqs) {
    const { events } = await probe({ ...request(r.initializer, r.config), runId: r.runId, label: r.label });
    for (const e of events) applyEvent(doc, e);
  }
  return doc;
}

export function layerInfo(name: string, predictedGain: number | null, isOutput = false): LayerInfo {
  return {
    name,
    fanIn: 4,
    fanOut: 3,
    activation: isOutput ? 'linear' : 'relu',
    initializer: 'he_normal',
    spec: { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', preset: 'he_normal' },
    weightStd: 0.5,
    theoryWeightStd: 0.5,
    predictedGain,
    isOutput,
  };
}

export function stats(activationVariance: number | null, gradNorm: number | null = 1): LayerStepStats {
  return {
    preActivationMean: 0,
    preActivationVariance: 1,
    activationMean: 0.1,
    activationVariance,
    activationSecondMoment: activationVariance === null ? null : activationVariance + 0.01,
    gradNorm,
    biasGradNorm: 0.1,
    backwardSecondMoment: 0.01,
    weightStd: 0.5,
    updateRatio: null,
    deadFraction: 0,
    saturatedFraction: 0,
    distinctUnits: 3,
  };
}

export function step(n: number, layers: LayerStepStats[], loss: number | null = 2.3, validationAccuracy: number | null = 0.1): StepMetrics {
  return { step: n, loss, accuracy: 0.1, validationAccuracy, layers };
}

export const SYMMETRIC: Flag = { kind: 'symmetric', layer: 1, step: 0, evidence: 'only 1 of 3 units, distinct', note: 'zero-symmetry', values: { distinctUnits: 1, units: 3 } };

/** Two runs of a 2-layer net: `a` with three records and a flag, `b` started with one record. */
export function syntheticDocument(): { doc: ResultsDocument; feed: (e: ProbeEvent) => void } {
  const doc = newDocument(requests(['Zeros', 'HeNormal'], 20));
  const feed = (e: ProbeEvent): void => void applyEvent(doc, e);
  const data = { source: 'mnist', kind: 'bundled' as const, description: 'bundled digits', train: 8000, test: 2000 };
  const layers = [layerInfo('dense_1', 1), layerInfo('dense_2', null, true)];
  feed({ type: 'started', runId: 'run1', backend: 'wasm', backendReason: 'test', data, layers, inputSecondMoment: 0.1 });
  feed({ type: 'step', runId: 'run1', metrics: step(0, [stats(0, 0), stats(1e-12, 0)]) });
  feed({ type: 'flag', runId: 'run1', flag: SYMMETRIC });
  feed({ type: 'step', runId: 'run1', metrics: step(10, [stats(0, 0), stats(2e-12, 0)], 2.29, 0.11) });
  feed({ type: 'step', runId: 'run1', metrics: step(20, [stats(0, 0), stats(3e-12, 0)], 2.28, 0.113) });
  feed({ type: 'started', runId: 'run2', backend: 'wasm', backendReason: 'test', data, layers, inputSecondMoment: 0.1 });
  feed({ type: 'step', runId: 'run2', metrics: step(0, [stats(0.08, 2.3), stats(0.003, 1)], 2.4, 0.09) });
  return { doc, feed };
}
