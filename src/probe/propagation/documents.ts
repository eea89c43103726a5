/** The engine's signal-propagation results as the JSON documents of src/protocol/propagation.ts. */
import type { DigitSet } from '../data/types';
import type { Activation } from '../initializers/spec';
import { parseInitializer } from '../initializers/parse';
import { depthSweep } from './depthSweep';
import { jacobianSpectrum } from './jacobian';
import { criticalSigmaW2At, DEFAULT_PHASE_GRID, depthScale, fixedPointState, phaseDiagram, placeInitializer } from './phaseDiagram';
import type { PhaseGrid } from './phaseDiagram';
import type { TrainabilityCell, TrainabilityGrid } from './trainability';
import type { JacobianJson, MapJson, PhaseJson, SweepJson } from '../../protocol/propagation';
import { ConfigError } from '../config';

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function specOf(initializer: string): ReturnType<typeof parseInitializer>['spec'] {
  try {
    return parseInitializer(initializer).spec;
  } catch (err) {
    throw new ConfigError('initializer', `${initializer}: ${(err as Error).message}`);
  }
}

export interface SweepOptions {
  activation: Activation;
  initializers: readonly string[];
  depth: number;
  width: number;
  images: number;
  seed: number;
}

export function sweepJson(options: SweepOptions, train: DigitSet, onRun?: (done: number, total: number) => void): SweepJson {
  const runs = options.initializers.map((initializer, k) => {
    specOf(initializer);
    const s = depthSweep({ activation: options.activation, depth: options.depth, width: options.width, initializer, seed: options.seed, images: options.images }, train);
    onRun?.(k + 1, options.initializers.length);
    return {
      initializer,
      sigmaW2: s.sigmaW2,
      inputSecondMoment: s.inputSecondMoment,
      inputCorrelation: s.inputCorrelation,
      layers: s.layers.map((l) => ({ layer: l.layer, q: finiteOrNull(l.secondMoment), c: finiteOrNull(l.correlation), qTheory: finiteOrNull(l.theorySecondMoment), cTheory: finiteOrNull(l.theoryCorrelation) })),
    };
  });
  return { activation: options.activation, depth: options.depth, width: options.width, images: Math.min(options.images, train.count), runs };
}

export interface PhaseOptions {
  activation: Activation;
  initializers: readonly string[];
  width: number;
  sigmaB2: number;
  grid?: PhaseGrid;
}

export function phaseJson(options: PhaseOptions): PhaseJson {
  const d = phaseDiagram(options.activation, options.grid ?? DEFAULT_PHASE_GRID);
  return {
    activation: options.activation,
    sigmaW2: d.sigmaW2,
    sigmaB2: d.sigmaB2,
    chi1: d.chi1,
    critical: d.critical,
    criticalAt: { sigmaB2: options.sigmaB2, sigmaW2: criticalSigmaW2At(options.activation, options.sigmaB2) },
    initializers: options.initializers.map((initializer) => {
      const p = placeInitializer(initializer, specOf(initializer), options.activation, options.width);
      return { ...p, depthScale: finiteOrNull(p.depthScale) };
    }),
  };
}

export interface JacobianOptions {
  activation: Activation;
  initializers: readonly string[];
  depth: number;
  width: number;
  sigmaB2: number;
  seed: number;
}

export function jacobianJson(options: JacobianOptions, onRun?: (done: number, total: number) => void): JacobianJson {
  const spectra = options.initializers.map((initializer, k) => {
    const spec = specOf(initializer);
    const placed = placeInitializer(initializer, spec, options.activation, options.width);
    // The sample input sits at the fixed point q* of this σ_w², σ_b² (Pennington et al.), or at 1 where q has none.
    const q = placed.sigmaW2 > 0 ? fixedPointState(options.activation, placed.sigmaW2, options.sigmaB2).q : null;
    const inputVariance = q !== null && q > 1e-6 ? q : 1;
    const s = jacobianSpectrum({ activation: options.activation, depth: options.depth, width: options.width, weights: spec, biasVariance: options.sigmaB2, inputVariance, seed: options.seed });
    onRun?.(k + 1, options.initializers.length);
    return { initializer, inputVariance, max: s.max, min: Math.max(0, s.min), mean: s.mean, variance: s.variance, logHistogram: s.logHistogram };
  });
  return { activation: options.activation, depth: options.depth, width: options.width, sigmaB2: options.sigmaB2, spectra };
}

export function mapJson(grid: TrainabilityGrid, cells: readonly TrainabilityCell[], seconds: number, cancelled: boolean): MapJson {
  const activation = grid.config.activation;
  return {
    activation,
    width: grid.width,
    steps: grid.config.steps,
    sigmaW2: grid.sigmaW2,
    depths: grid.depths,
    cells: [...cells],
    depthScale: grid.sigmaW2.map((w) => finiteOrNull(depthScale(activation, w, 0))),
    seconds,
    cancelled,
  };
}
